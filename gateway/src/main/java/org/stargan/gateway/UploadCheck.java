package org.stargan.gateway;

import io.vertx.core.buffer.Buffer;
import org.stargan.msg.Protocol;

/**
 * Refuses an image before anything is queued: not PNG, JPEG or NPY by its bytes (415), a damaged header or one
 * claiming no pixels (400), more pixels than allowed (413) — a decompression bomb, or just a huge photo, refused from
 * its header before anyone decodes it.
 */
final class UploadCheck {
    /** Why an upload is refused: the HTTP status and error code to answer with. */
    static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code;

        Rejected(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }

    private final long maxPixels;

    UploadCheck(long maxPixels) {
        this.maxPixels = maxPixels;
    }

    /** Passes, or says why {@code image} (named {@code field} in messages) is refused. */
    void check(Buffer image, String field) throws Rejected {
        if (image == null || image.length() == 0) {
            throw new Rejected(400, "bad_request", field + ": empty, expected the image bytes");
        }
        ImageSniffer.Sniffed sniffed;
        try {
            sniffed = ImageSniffer.sniff(image, field);
        } catch (IllegalArgumentException e) {
            throw new Rejected(400, "bad_request", e.getMessage());
        }
        if (sniffed == null) {
            throw new Rejected(
                    415,
                    "unsupported_media_type",
                    field + ": not a PNG, JPEG or NPY file (first bytes " + ImageSniffer.firstBytes(image) + ")");
        }
        if (!sniffed.mediaType().equals(Protocol.NPY) && (sniffed.width() < 1 || sniffed.height() < 1)) {
            throw new Rejected(
                    400,
                    "bad_request",
                    field + ": the header claims " + sniffed.width() + "×" + sniffed.height()
                            + " pixels, expected a real size");
        }
        if (sniffed.pixels() > maxPixels) {
            throw new Rejected(
                    413,
                    "too_large",
                    field + ": " + sniffed.width() + "×" + sniffed.height()
                            + " pixels, more than this gateway's limit of " + maxPixels);
        }
    }
}

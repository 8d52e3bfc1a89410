package org.stargan.inference;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.stargan.data.ImageCodec;
import org.stargan.io.Npy;
import org.stargan.msg.Protocol;

/** Encodes a generator output as the request's {@code stargan.accept} asks. */
final class ResultEncoding {
    private ResultEncoding() {}

    static byte[] encode(float[] chw, int size, String accept) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (accept.equals(Protocol.NPY)) {
            Npy.write(out, Npy.Array.ofFloats(chw, 1, 3, size, size));
        } else if (accept.equals(Protocol.JPEG)) {
            ImageCodec.write(ImageCodec.toImage(chw, 0, size, size), "result.jpg", out);
        } else {
            ImageCodec.writePng(chw, 0, size, size, out);
        }
        return out.toByteArray();
    }

    /** Decodes a request's image: NPY (1, 3, S, S) at the model's size, or PNG/JPEG centre-cropped and resized. */
    static float[] decode(byte[] bytes, int size, String id) throws IOException {
        if (org.stargan.msg.TranslateRequest.isNpy(bytes)) {
            Npy.Array a = Npy.read(new java.io.ByteArrayInputStream(bytes), "request " + id);
            long[] s = a.shape();
            if (s.length != 4 || s[0] != 1 || s[1] != 3 || s[2] != size || s[3] != size) {
                throw new IllegalArgumentException("value: NPY of shape " + java.util.Arrays.toString(s)
                        + ", expected (1, 3, " + size + ", " + size + ")");
            }
            return inRange(a.toFloats());
        }
        return ImageCodec.toTensor(ImageCodec.decode(bytes, "value"), 0, size).chw();
    }

    /**
     * Refuses values the generator was never trained on: NaN or infinity (which it would pass through to every output
     * pixel) and anything outside [-1, 1] (an image not scaled as the protocol says), naming the first one.
     */
    private static float[] inRange(float[] v) {
        for (int i = 0; i < v.length; i++) {
            // A little slack for inputs rescaled in float arithmetic.
            if (!(Math.abs(v[i]) <= 1.001f)) {
                throw new IllegalArgumentException(
                        "value: NPY element " + i + " is " + v[i] + ", expected finite values in [-1, 1]");
            }
        }
        return v;
    }
}

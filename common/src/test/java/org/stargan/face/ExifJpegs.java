package org.stargan.face;

import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.imgcodecs.Imgcodecs;

/** JPEGs as cameras write them: pixels stored turned, with an EXIF block whose orientation tag says how to turn them. */
final class ExifJpegs {
    private ExifJpegs() {}

    /**
     * {@code upright} stored as a camera with EXIF {@code orientation} would store it, encoded as JPEG with a minimal
     * EXIF block (little-endian TIFF, one IFD entry: the orientation).
     */
    static byte[] sideways(Mat upright, int orientation) {
        Mat stored = new JpegExif(null, orientation).stored(upright);
        MatOfByte jpeg = new MatOfByte();
        Imgcodecs.imencode(".jpg", stored, jpeg, new MatOfInt(Imgcodecs.IMWRITE_JPEG_QUALITY, 95));
        return new JpegExif(app1(orientation), orientation).insertInto(jpeg.toArray());
    }

    static byte[] app1(int orientation) {
        byte[] payload = {
            'E',
            'x',
            'i',
            'f',
            0,
            0, // EXIF header
            'I',
            'I',
            42,
            0,
            8,
            0,
            0,
            0, // TIFF header: little endian, IFD0 at offset 8
            1,
            0, // one entry
            0x12,
            0x01,
            3,
            0,
            1,
            0,
            0,
            0,
            (byte) orientation,
            0,
            0,
            0, // 0x0112 SHORT ×1
            0,
            0,
            0,
            0 // no next IFD
        };
        byte[] segment = new byte[4 + payload.length];
        segment[0] = (byte) 0xFF;
        segment[1] = (byte) 0xE1;
        segment[2] = (byte) ((payload.length + 2) >> 8);
        segment[3] = (byte) (payload.length + 2);
        System.arraycopy(payload, 0, segment, 4, payload.length);
        return segment;
    }
}

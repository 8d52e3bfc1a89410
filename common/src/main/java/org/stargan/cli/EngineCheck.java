package org.stargan.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.PrintStream;
import org.stargan.device.Devices;

/**
 * Loads the PyTorch engine and runs one small operation on a device: {@code engine-check [--device cpu|cuda:N]}. The
 * images run it at build time, so libtorch is unpacked into their {@code DJL_CACHE_DIR} once (and a native library
 * that cannot load on the image's base fails the build rather than the first request); an operator runs it to see
 * which libtorch a machine gets. Prints e.g. {@code PyTorch 2.7.1, 0 GPU(s), cache /opt/stargan/djl: sum 6.0
 * on cpu()}; exits 1 when the engine or the device does not work.
 */
public final class EngineCheck {
    private EngineCheck() {}

    /** Entry point of {@code bin/engine-check}. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String device = "cpu";
        if (args.length == 2 && args[0].equals("--device")) {
            device = args[1];
        } else if (args.length != 0) {
            err.println("engine-check: usage: engine-check [--device cpu|cuda:N]");
            return 2;
        }
        try {
            Device d = Devices.parseAvailable(device);
            Engine engine = Engine.getEngine("PyTorch");
            try (NDManager m = NDManager.newBaseManager(d)) {
                NDArray sum = m.create(new float[] {1, 2, 3}).sum();
                out.printf(
                        "PyTorch %s, %d GPU(s), cache %s: sum %s on %s%n",
                        engine.getVersion(),
                        engine.getGpuCount(),
                        System.getProperty("DJL_CACHE_DIR", System.getenv().getOrDefault("DJL_CACHE_DIR", "default")),
                        sum.getFloat(),
                        d);
            }
            return 0;
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            err.println("engine-check: the PyTorch engine does not work on " + device + ": " + e.getMessage());
            return 1;
        }
    }
}

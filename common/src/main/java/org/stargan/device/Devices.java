package org.stargan.device;

import ai.djl.Device;
import org.stargan.options.OptionException;

/** Parses device settings: {@code cpu}, {@code cuda} (= cuda:0) or {@code cuda:N}; the commands and the services share it. */
public final class Devices {
    private Devices() {}

    /** Parses and checks that the engine can use the device. */
    public static Device parseAvailable(String value) {
        Device d = parse(value);
        if (d.isGpu()) {
            int gpus = ai.djl.engine.Engine.getInstance().getGpuCount();
            if (d.getDeviceId() >= gpus) {
                throw new OptionException("--device: '" + value + "', but the PyTorch engine sees " + gpus
                        + " GPU(s); the bundled libtorch is the CPU build (DJL downloads a CUDA build when run online"
                        + " without -Dai.djl.offline=true on a machine with a GPU)");
            }
        }
        return d;
    }

    /** The device {@code value} names; an exception naming {@code --device} and the value when it names none. */
    public static Device parse(String value) {
        String v = value.trim().toLowerCase(java.util.Locale.ROOT);
        if (v.equals("cpu")) {
            return Device.cpu();
        }
        if (v.equals("cuda") || v.equals("gpu")) {
            return Device.gpu(0);
        }
        if (v.startsWith("cuda:")) {
            try {
                int id = Integer.parseInt(v.substring(5));
                if (id >= 0) {
                    return Device.gpu(id);
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
        }
        throw new OptionException("--device: '" + value + "', expected cpu, cuda or cuda:N");
    }
}

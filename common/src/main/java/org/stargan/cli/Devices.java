package org.stargan.cli;

import ai.djl.Device;

/** Parses device settings: {@code cpu}, {@code cuda} (= cuda:0) or {@code cuda:N}. */
final class Devices {
    private Devices() {}

    static Device parse(String value) {
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
        throw new Options.UsageException("--device: '" + value + "', expected cpu, cuda or cuda:N");
    }
}

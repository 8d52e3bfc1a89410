package org.stargan.cli;

import java.io.PrintStream;
import java.util.List;
import org.stargan.device.DeviceCheck;
import org.stargan.device.DeviceReport;
import org.stargan.device.DeviceUnavailableException;
import org.stargan.options.Option;
import org.stargan.options.OptionException;
import org.stargan.options.OptionTable;
import org.stargan.options.OptionValues;

/**
 * {@code stargan device [--device D]}: loads libtorch as a worker would, checks the device and prints what a worker
 * would log at start, then one JSON object. Exit status 0 when the device computes, 2 (with the reason and what to set)
 * when it does not. Also fills DJL's cache when run online with {@code PYTORCH_FLAVOR} set (an image build can run it).
 */
final class DeviceCommand {
    static final OptionTable TABLE = new OptionTable(
            "device",
            List.of(Option.text("device", "DEVICE", "cpu, cuda or cuda:N").byDefault("cpu")));

    static final String USAGE = TABLE.help("device [--device cpu|cuda|cuda:N]", """
            Loads libtorch the way the workers do, checks that it can compute on the device, and prints the libtorch
            (version, flavor, where it came from), CUDA and cuDNN availability and the visible GPUs, then a JSON
            object. Exits with 2 and the reason (naming what to set) when the device cannot be used.
            Which libtorch loads: README, GPUs (PYTORCH_FLAVOR, PYTORCH_LIBRARY_PATH, PYTORCH_VERSION, DJL_OFFLINE).""");

    private DeviceCommand() {}

    static int run(List<String> args, PrintStream out, PrintStream err) {
        if (OptionTable.asksForHelp(args)) {
            out.print(USAGE);
            return 0;
        }
        OptionValues o = TABLE.parse(args);
        String setting = o.text("device");
        DeviceReport r;
        try {
            r = DeviceCheck.require(setting);
        } catch (IllegalArgumentException | DeviceUnavailableException e) {
            throw new OptionException(e.getMessage());
        }
        err.println(r.logLine());
        String idle = r.idleGpuWarning();
        if (idle != null) {
            err.println("warning: " + idle);
        }
        java.util.Map<String, Object> json = new java.util.LinkedHashMap<>(r.metricTags());
        json.put("source", r.source());
        json.put("libtorch_path", r.libtorchPath());
        json.put("cuda", r.cuda());
        json.put("cudnn", r.cudnn());
        json.put("gpus_visible", r.gpus().size());
        out.println(Json.write(json));
        return 0;
    }
}

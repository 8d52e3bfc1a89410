package org.stargan.device;

import ai.djl.Device;
import org.stargan.options.OptionException;

/**
 * Parses device settings: {@code cpu}, {@code cuda} (= cuda:0) or {@code cuda:N}; the commands and the services share
 * it. The checks themselves live in {@link DeviceCheck}; this turns their failures into usage errors.
 */
public final class Devices {
    private Devices() {}

    /**
     * Parses and checks that the loaded libtorch can compute on the device (a GPU asked of the CPU libtorch fails with a
     * message naming what to set).
     */
    public static Device parseAvailable(String value) {
        try {
            DeviceCheck.require(value);
            return DeviceCheck.parse(value);
        } catch (IllegalArgumentException | DeviceUnavailableException e) {
            throw new OptionException(e.getMessage());
        }
    }

    /** The device {@code value} names; an exception naming {@code --device} and the value when it names none. */
    public static Device parse(String value) {
        try {
            return DeviceCheck.parse(value);
        } catch (IllegalArgumentException e) {
            throw new OptionException(e.getMessage());
        }
    }
}

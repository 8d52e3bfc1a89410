package org.stargan.device;

/** The device a process was given cannot compute; the message names the setting at fault and what to set. */
public final class DeviceUnavailableException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** With the full explanation as the message. */
    public DeviceUnavailableException(String message) {
        super(message);
    }
}

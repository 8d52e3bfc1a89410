package org.stargan.device;

import ai.djl.Device;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether a worker's device still computes. A GPU can fail after start (an Xid error, a lost device, an illegal
 * memory access that poisons the CUDA context); then every batch or job fails. After a failure the worker calls
 * {@link #recheck} on the thread that owns the device's work; once the device does not compute, {@link #usable} turns
 * false for good (a poisoned CUDA context does not recover within a process) and the health routes say so, so an
 * orchestrator restarts the worker instead of sending it work.
 */
public final class DeviceHealth {
    private final Device device;
    private final AtomicBoolean recheckPending = new AtomicBoolean();
    private volatile String problem;

    /** Starts usable: {@link DeviceCheck#require} has just checked the device. */
    public DeviceHealth(Device device) {
        this.device = device;
    }

    /** The device checked. */
    public Device device() {
        return device;
    }

    /** False once a check found the device unable to compute. */
    public boolean usable() {
        return problem == null;
    }

    /** Why the device is unusable, or null while it is usable. */
    public String problem() {
        return problem;
    }

    /**
     * Marks that a check is wanted; false when one is already pending (a burst of failures asks for one check).
     * Call {@link #recheck} when this returns true.
     */
    public boolean requestRecheck() {
        return usable() && recheckPending.compareAndSet(false, true);
    }

    /** Runs a small computation on the device; returns whether it is usable. Blocks: not on an event loop. */
    public boolean recheck() {
        try {
            String p = DeviceCheck.probe(device);
            if (p != null) {
                problem = DeviceReport.name(device) + " no longer computes: " + p;
            }
            return usable();
        } finally {
            recheckPending.set(false);
        }
    }
}

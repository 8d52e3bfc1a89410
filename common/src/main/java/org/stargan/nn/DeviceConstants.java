package org.stargan.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Numbers that the networks and losses combine with tensors (loss weights, leaky-ReLU slopes, the 1 of 1 − α, a batch
 * divisor), as 0-dim tensors made once per device and value and kept for the life of the JVM.
 *
 * <p>DJL turns every {@code NDArray.op(Number)} into a tensor created from Java memory; on a GPU that is a blocking
 * host→device copy that drains the device's queue, a few dozen times per training iteration. Ops with these tensors
 * instead read memory that is already on the device. Each constant is made exactly as DJL makes the number it stands
 * for ({@code NDManager.create(Number)}: a {@code Float} becomes a float32 tensor, a {@code Double} float64, a
 * {@code Long} int64, an {@code Integer} int32), so an op with it computes exactly what the {@code op(Number)} it replaces
 * computed. The copies live in memory that libtorch owns (see {@link Functional#constant}), which autograd may keep
 * for a backward pass at any time.
 *
 * <p>Shared and read-only: never pass one to an in-place op as the target, and never close one.
 */
public final class DeviceConstants {
    private record Key(Device device, Class<?> type, Number value) {}

    private static final Map<Device, NDManager> MANAGERS = new ConcurrentHashMap<>();
    private static final Map<Key, NDArray> CONSTANTS = new ConcurrentHashMap<>();

    private DeviceConstants() {}

    /** {@code value} as a 0-dim tensor on the device of {@code like}. */
    public static NDArray of(NDArray like, Number value) {
        return on(like.getDevice(), value);
    }

    /** {@code value} as a 0-dim tensor on {@code device}. */
    public static NDArray on(Device device, Number value) {
        // Number's equals compares the class and the exact value (bit patterns for floating point), as the key must.
        return CONSTANTS.computeIfAbsent(new Key(device, value.getClass(), value), k -> {
            NDManager m = MANAGERS.computeIfAbsent(device, NDManager::newBaseManager);
            return Functional.constant(m, value);
        });
    }
}

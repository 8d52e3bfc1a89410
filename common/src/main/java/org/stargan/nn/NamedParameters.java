package org.stargan.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A network's learnable tensors under the official PyTorch {@code state_dict} keys, in registration order,
 * so weights move between this project and the official code by name.
 */
public final class NamedParameters {
    private final Map<String, NDArray> byName = new LinkedHashMap<>();

    void add(String name, NDArray value) {
        if (byName.putIfAbsent(name, value) != null) {
            throw new IllegalStateException("parameter '" + name + "' registered twice");
        }
        value.setName(name);
    }

    /** The tensor under {@code name}; fails naming the key when absent. */
    public NDArray get(String name) {
        NDArray p = byName.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no parameter named '" + name + "'; known: " + byName.keySet());
        }
        return p;
    }

    /** Name → tensor, in the official order. */
    public Map<String, NDArray> asMap() {
        return Collections.unmodifiableMap(byName);
    }

    /** Total number of scalar parameters. */
    public long count() {
        long n = 0;
        for (NDArray p : byName.values()) {
            n += p.getShape().size();
        }
        return n;
    }

    /** Turns gradient recording for all tensors on or off. */
    public void setRequiresGradient(boolean requires) {
        for (NDArray p : byName.values()) {
            p.setRequiresGradient(requires);
        }
    }

    /**
     * Overwrites every tensor with the same-named one from {@code source}, checking names and shapes first so that
     * a mismatch leaves the network untouched.
     */
    public void copyFrom(Map<String, NDArray> source) {
        for (Map.Entry<String, NDArray> e : byName.entrySet()) {
            NDArray s = source.get(e.getKey());
            if (s == null) {
                throw new IllegalArgumentException("missing parameter '" + e.getKey() + "' (expected shape " + e.getValue().getShape() + ")");
            }
            Shape expected = e.getValue().getShape();
            if (!s.getShape().equals(expected)) {
                throw new IllegalArgumentException("parameter '" + e.getKey() + "': expected shape " + expected + ", found " + s.getShape());
            }
        }
        for (Map.Entry<String, NDArray> e : byName.entrySet()) {
            NDArray target = e.getValue();
            NDArray s = source.get(e.getKey());
            target.set(s.toType(target.getDataType(), false).toDevice(target.getDevice(), false).toByteBuffer());
        }
    }
}

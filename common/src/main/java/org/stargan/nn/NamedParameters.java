package org.stargan.nn;

import ai.djl.ndarray.NDArray;
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
     * Overwrites every tensor with the same-named host values, checking every name and shape first so that a
     * mismatch leaves the network untouched.
     *
     * @param values name → float32 values in C order
     * @param shapes name → shape
     * @param what names the source in error messages (a file name)
     */
    public void load(Map<String, float[]> values, Map<String, long[]> shapes, String what) {
        for (Map.Entry<String, NDArray> e : byName.entrySet()) {
            long[] expected = e.getValue().getShape().getShape();
            long[] found = shapes.get(e.getKey());
            if (found == null) {
                throw new IllegalArgumentException(what + ": missing parameter '" + e.getKey() + "' (expected shape "
                        + java.util.Arrays.toString(expected) + ")");
            }
            if (!java.util.Arrays.equals(expected, found)) {
                throw new IllegalArgumentException(what + ": parameter '" + e.getKey() + "' has shape "
                        + java.util.Arrays.toString(found) + ", expected " + java.util.Arrays.toString(expected));
            }
        }
        for (Map.Entry<String, NDArray> e : byName.entrySet()) {
            replaceValues(e.getValue(), values.get(e.getKey()));
        }
    }

    /**
     * Gives {@code target} new contents in place (the same Java object, so optimisers holding it see the change),
     * keeping its element type, device, manager and gradient flag. The data becomes a fresh tensor whose handle the
     * target takes over; DJL's {@code set} would do it through a deprecated libtorch guard that prints a warning.
     */
    public static void replaceValues(NDArray target, float[] values) {
        // create() may wrap a Java direct buffer that only the staging array keeps alive; the copy owns its memory.
        NDArray fresh;
        try (NDArray staged = target.getManager().create(values, target.getShape())) {
            NDArray typed = staged.toType(target.getDataType(), false).toDevice(target.getDevice(), false);
            // A same-type, same-device conversion returns the staging tensor itself; clone it to own the memory.
            fresh = typed == staged ? staged.duplicate() : typed;
        }
        boolean recording = target.hasGradient();
        target.intern(fresh);
        if (recording) {
            target.setRequiresGradient(true);
        }
    }

    /** Copies every tensor to Java memory as float32, keyed by name in the official order. */
    public Map<String, float[]> toFloatArrays() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : byName.entrySet()) {
            NDArray p = e.getValue();
            if (p.getDataType() == ai.djl.ndarray.types.DataType.FLOAT32) {
                out.put(e.getKey(), p.toFloatArray());
            } else {
                try (NDArray f = p.toType(ai.djl.ndarray.types.DataType.FLOAT32, true)) {
                    out.put(e.getKey(), f.toFloatArray());
                }
            }
        }
        return out;
    }
}

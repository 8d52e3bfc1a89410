package org.stargan.nn;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Switches PyTorch's autograd recording off for a scope, like {@code torch.no_grad()}.
 *
 * <p>Used for work whose graph would never be used: G's forward inside the D step (its output is detached in
 * the official code) and D's forward at x̂ whose only role is to fix the leaky-ReLU slopes of the gradient
 * penalty. Recording them would cost memory and autograd bookkeeping for nothing.
 */
public final class GradMode implements AutoCloseable {
    private final boolean previous;

    private GradMode(boolean enabled) {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(enabled);
    }

    /** Disables recording until {@link #close()} restores the previous mode. */
    public static GradMode off() {
        return new GradMode(false);
    }

    /** Enables recording until {@link #close()} restores the previous mode. */
    public static GradMode on() {
        return new GradMode(true);
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}

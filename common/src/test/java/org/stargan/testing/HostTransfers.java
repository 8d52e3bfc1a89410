package org.stargan.testing;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;

import java.lang.instrument.Instrumentation;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;

/**
 * Counts every transfer between Java memory and a tensor that DJL's PyTorch engine makes, wherever it is asked for:
 * in this project's code or inside DJL (an {@code NDArray.mul(Number)} creates its number through the same entry point).
 * The counters sit in DJL's own funnels, instrumented at run time:
 *
 * <ul>
 *   <li>{@code JniUtils.createNdFromByteBuffer} — every tensor made from Java data ({@code NDManager.create} of arrays,
 *       buffers and numbers); on a GPU a blocking host→device copy;
 *   <li>{@code JniUtils.set(PtNDArray, ByteBuffer)} — Java data written into an existing tensor;
 *   <li>{@code JniUtils.getByteBuffer} — a tensor read back into Java ({@code toFloatArray}, {@code getDouble}); on a GPU
 *       a device→host copy that waits for the queue to drain.
 * </ul>
 *
 * <p>The counters are global: count work done on one thread while nothing else in the JVM computes.
 */
public final class HostTransfers {
    /** Tensors made from, or written with, Java data. */
    public static final AtomicLong TO_DEVICE = new AtomicLong();

    /** Tensors read back into Java. */
    public static final AtomicLong TO_HOST = new AtomicLong();

    private static boolean installed;

    private HostTransfers() {}

    /** A snapshot of both counters. */
    public record Count(long toDevice, long toHost) {
        /** What happened between {@code earlier} and this snapshot. */
        public Count minus(Count earlier) {
            return new Count(toDevice - earlier.toDevice, toHost - earlier.toHost);
        }
    }

    /** Instruments DJL's entry points (once per JVM) and returns the current counts. */
    public static synchronized Count start() {
        if (!installed) {
            Instrumentation instrumentation = ByteBuddyAgent.install();
            new AgentBuilder.Default()
                    .disableClassFormatChanges()
                    .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                    .type(named("ai.djl.pytorch.jni.JniUtils"))
                    .transform((builder, type, loader, module, domain) -> builder.visit(Advice.to(ToDevice.class)
                                    .on(named("createNdFromByteBuffer")
                                            .or(named("set").and(takesArgument(1, ByteBuffer.class)))))
                            .visit(Advice.to(ToHost.class).on(named("getByteBuffer"))))
                    .installOn(instrumentation);
            installed = true;
        }
        return now();
    }

    /** The counts so far. */
    public static Count now() {
        return new Count(TO_DEVICE.get(), TO_HOST.get());
    }

    /** Inlined at the start of the host→device entry points. */
    static final class ToDevice {
        @Advice.OnMethodEnter
        static void enter() {
            TO_DEVICE.incrementAndGet();
        }
    }

    /** Inlined at the start of the device→host entry point. */
    static final class ToHost {
        @Advice.OnMethodEnter
        static void enter() {
            TO_HOST.incrementAndGet();
        }
    }
}

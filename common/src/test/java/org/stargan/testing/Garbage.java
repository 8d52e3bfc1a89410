package org.stargan.testing;

import java.lang.ref.Cleaner;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Forces the garbage collection a test needs to show that native memory does not depend on it. */
public final class Garbage {
    private static final Cleaner CLEANER = Cleaner.create();

    private Garbage() {}

    /**
     * Collects garbage until an object dropped now has been cleaned up, so that a direct buffer that was unreachable
     * before the call has been freed when it returns; fails after 10 s.
     */
    public static void collect() throws InterruptedException {
        CountDownLatch cleaned = new CountDownLatch(1);
        CLEANER.register(new Object(), cleaned::countDown);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!cleaned.await(20, TimeUnit.MILLISECONDS)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the garbage collector did not run within 10 s (-XX:+DisableExplicitGC?)");
            }
            System.gc();
        }
        // Direct buffers are freed by the reference handler, which may still be working through the same collection.
        Thread.sleep(50);
    }
}

package org.stargan.deploy.bench;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a benchmark run started, stopped in reverse order exactly once — from the normal path, a failure, or the JVM's
 * shutdown hook on Ctrl-C, whichever comes first. A step that fails to stop is reported and the others still run.
 */
final class Cleanup implements AutoCloseable {
    /** A stopping step that may throw. */
    interface Step {
        void run() throws Exception;
    }

    private final Deque<Step> steps = new ArrayDeque<>();
    private final Deque<String> names = new ArrayDeque<>();
    private final PrintStream err;

    Cleanup(PrintStream err) {
        this.err = err;
    }

    synchronized void add(String name, Step step) {
        names.push(name);
        steps.push(step);
    }

    @Override
    public synchronized void close() {
        while (!steps.isEmpty()) {
            String name = names.pop();
            try {
                steps.pop().run();
            } catch (Exception e) {
                err.println("bench gateway: stopping " + name + " failed: " + e);
            }
        }
    }
}

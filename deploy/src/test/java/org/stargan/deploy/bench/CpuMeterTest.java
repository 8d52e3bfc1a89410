package org.stargan.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The split of a service's CPU by thread: each group counts its own threads' time (here: this JVM, measured as a
 * worker, with threads named as the worker's are), and the rest is what the groups leave of the figure they split.
 */
class CpuMeterTest {
    @Test
    void eachThreadGroupCountsItsThreadsAndTheRestIsWhatTheyLeave() throws Exception {
        CpuMeter meter =
                new CpuMeter(Map.of(CpuMeter.WORKER, ProcessHandle.current().pid()));
        CountDownLatch measured = new CountDownLatch(1);
        meter.start();
        // Threads that end leave their process's thread list (and their time with it): they live until measured.
        long prepare = burn("prepare", 300, measured);
        long loop = burn("vert.x-eventloop-thread-0", 150, measured);
        meter.stop();
        measured.countDown();
        Map<String, Object> r = meter.perRequest(1);
        double tick = 10.0; // /proc's clock tick, in ms
        assertThat(ms(r, "worker_preparing")).isCloseTo(prepare / 1e6, within(2 * tick));
        assertThat(ms(r, "worker_eventloop")).isCloseTo(loop / 1e6, within(2 * tick));
        double steady = ((Number) r.get(CpuMeter.steadyField(CpuMeter.WORKER_OTHER))).doubleValue();
        double groups = 0;
        for (String f : CpuMeter.threadFigures(CpuMeter.WORKER)) {
            groups += ms(r, f);
        }
        assertThat(steady).as("the groups are part of the figure they split").isGreaterThanOrEqualTo(groups - tick);
        assertThat(ms(r, "worker_rest")).isCloseTo(Math.max(0, steady - groups), within(1e-9));
    }

    private static double ms(Map<String, Object> r, String name) {
        Object v = r.get(CpuMeter.field(name));
        assertThat(v).as(CpuMeter.field(name)).isInstanceOf(Number.class);
        return ((Number) v).doubleValue();
    }

    /**
     * Spins a thread named {@code name} for about {@code millis} of its own CPU, then keeps it alive until
     * {@code release}; the CPU it used, in ns.
     */
    private static long burn(String name, long millis, CountDownLatch release) throws InterruptedException {
        long[] used = new long[1];
        CountDownLatch burnt = new CountDownLatch(1);
        Thread t = new Thread(
                () -> {
                    var mx = ManagementFactory.getThreadMXBean();
                    long start = mx.getCurrentThreadCpuTime();
                    long x = 0;
                    while (mx.getCurrentThreadCpuTime() - start < millis * 1_000_000) {
                        for (int i = 0; i < 10_000; i++) {
                            x += i * 31L ^ x;
                        }
                    }
                    used[0] = mx.getCurrentThreadCpuTime() - start + (x == 42 ? 1 : 0);
                    burnt.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                name);
        t.setDaemon(true);
        t.start();
        burnt.await();
        return used[0];
    }
}

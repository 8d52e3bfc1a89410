package org.stargan.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;

/**
 * Tells a service's user, once, that no Kafka broker answers and what to start — and once more when one does. The
 * Kafka clients themselves retry quietly (their connection warnings, one per retry and client, are turned off in
 * {@code simplelogger.properties}: hundreds of lines in a minute that never said what to do).
 */
public final class BrokerWatch implements AutoCloseable {
    /** How long a broker may be silent before the user hears of it: longer than a broker takes to start. */
    private static final long GRACE_MILLIS = 5_000;
    /** Between probes; each is one metadata request, cheap for a broker. */
    private static final long PERIOD_MILLIS = 5_000;

    private final Thread thread;
    private volatile boolean closed;

    private BrokerWatch(Thread thread) {
        this.thread = thread;
    }

    /**
     * Starts watching {@code bootstrapServers} on a daemon thread; {@code say} receives the two messages (no broker:
     * what to start; broker back). {@code service} names who is waiting in them.
     */
    public static BrokerWatch start(String service, String bootstrapServers, Consumer<String> say) {
        // The admin client is made here, on the caller's thread, which sets up logging: slf4j set up by two threads at
        // once (this one and the service's own clients) replays their first calls under a three-line warning.
        Map<String, Object> settings = new HashMap<>(KafkaSettings.admin(bootstrapServers, PERIOD_MILLIS));
        // The admin client's own reconnect back-off: quick enough to notice a broker that has just started.
        settings.put("reconnect.backoff.max.ms", "2000");
        Admin admin = Admin.create(settings);
        BrokerWatch[] self = new BrokerWatch[1];
        Thread t = new Thread(() -> self[0].watch(admin, service, bootstrapServers, say), service + "-broker-watch");
        t.setDaemon(true);
        self[0] = new BrokerWatch(t);
        t.start();
        return self[0];
    }

    private void watch(Admin admin, String service, String bootstrapServers, Consumer<String> say) {
        long silentSince = System.currentTimeMillis();
        boolean reported = false;
        try (admin) {
            while (!closed) {
                boolean up;
                try {
                    up = !admin.describeCluster()
                            .nodes()
                            .get(PERIOD_MILLIS, TimeUnit.MILLISECONDS)
                            .isEmpty();
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    up = false;
                }
                long now = System.currentTimeMillis();
                if (up) {
                    if (reported) {
                        say.accept(service + ": connected to Kafka at " + bootstrapServers);
                    }
                    reported = false;
                    silentSince = now;
                } else if (!reported && now - silentSince >= GRACE_MILLIS) {
                    say.accept(advice(service, bootstrapServers));
                    reported = true;
                }
                Thread.sleep(PERIOD_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * What to do about a silent broker: on this machine, start the local one (on the port asked for); elsewhere,
     * check that it runs and is reachable.
     */
    static String advice(String service, String bootstrapServers) {
        String first = bootstrapServers.split(",")[0].trim();
        int colon = first.lastIndexOf(':');
        String host = colon < 0 ? first : first.substring(0, colon);
        String port = colon < 0 ? "9092" : first.substring(colon + 1);
        String waiting = service + ": no Kafka broker answers at " + bootstrapServers + "; ";
        if (host.equals("127.0.0.1") || host.equals("localhost")) {
            return waiting + "start one with `./stargan kafka" + (port.equals("9092") ? "" : " --port " + port)
                    + "` (or give --bootstrap HOST:PORT). Waiting for it...";
        }
        return waiting + "check that it runs and that this machine reaches it (--bootstrap, STARGAN_KAFKA_BOOTSTRAP). "
                + "Waiting for it...";
    }

    /** Stops watching. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}

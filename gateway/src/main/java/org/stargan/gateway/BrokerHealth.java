package org.stargan.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Whether the Kafka cluster can be reached, known within a second: readiness and admission share it, so that while the
 * broker is away a translation is answered 503 at once instead of waiting out its deadline, and the calls already
 * waiting are ended as soon as it goes ({@code onDown}). A probe tries the brokers' addresses (the bootstrap list and
 * the nodes the cluster advertised) until one accepts a TCP connection: a stopped broker refuses at once, where a Kafka
 * client would retry until its own timeouts. Two failed probes in a row mark the cluster unreachable (one refused
 * connection can be a restart's blink); one success marks it reachable again. A broker that acknowledged a send within
 * the last probe period has just been reached: no connection is opened for it ({@link #heard}), so a gateway under
 * load does not connect to the broker four times a second (a tenth of its event loop's time per request at 100 req/s,
 * and as many connections accepted and closed by the broker); an outage is then known one period later at most.
 * Event loop only.
 */
final class BrokerHealth {
    /** Failed probes in a row that mark the cluster unreachable. */
    static final int FAILURES_TO_DOWN = 2;

    /** One attempt to reach any broker; fails naming what went wrong. */
    interface Probe {
        Future<Void> reach();
    }

    private final Probe probe;
    private final LongSupplier clockMillis;
    private final long periodMillis;
    private final Consumer<String> onDown;
    private boolean probing;
    /** When the cluster last acknowledged a send; none yet: long before any clock reading. */
    private long heardAt = Long.MIN_VALUE / 2;

    private int failures;
    private boolean reachable = true;
    private String lastError = "";
    private long downSince;

    /**
     * @param clockMillis a monotonic clock in milliseconds
     * @param periodMillis how often {@link #check} is called: a send acknowledged within it stands for a probe
     */
    BrokerHealth(Probe probe, LongSupplier clockMillis, long periodMillis, Consumer<String> onDown) {
        this.probe = probe;
        this.clockMillis = clockMillis;
        this.periodMillis = periodMillis;
        this.onDown = onDown;
    }

    /** The cluster acknowledged a send just now: it is reachable, as a successful probe would say. */
    void heard() {
        heardAt = clockMillis.getAsLong();
        reached();
    }

    /**
     * Probes once, unless a probe is still running or a send was acknowledged within the last period; call it every
     * period.
     */
    void check() {
        if (probing || clockMillis.getAsLong() - heardAt < periodMillis) {
            return;
        }
        probing = true;
        probe.reach().onComplete(ar -> {
            probing = false;
            if (ar.succeeded()) {
                reached();
                return;
            }
            lastError = String.valueOf(ar.cause().getMessage());
            if (++failures >= FAILURES_TO_DOWN && reachable) {
                reachable = false;
                downSince = clockMillis.getAsLong();
                onDown.accept(problem());
            }
        });
    }

    private void reached() {
        failures = 0;
        reachable = true;
    }

    /** Whether the cluster was reachable at the last probes. */
    boolean reachable() {
        return reachable;
    }

    /** Why it is not, naming the address and the error; null when it is. */
    String problem() {
        return reachable
                ? null
                : String.format(
                        Locale.ROOT,
                        "the Kafka broker is unreachable (%s) since %.1f s ago; retry shortly",
                        lastError,
                        (clockMillis.getAsLong() - downSince) / 1000.0);
    }

    /**
     * A probe over TCP: connects to each known broker address in turn (bootstrap list first), succeeding at the first
     * that accepts. {@code advertised} supplies the addresses the cluster last advertised, so that a bootstrap list
     * naming one broker of several does not mark a working cluster unreachable.
     */
    static Probe tcp(Vertx vertx, String bootstrapServers, java.util.function.Supplier<List<String>> advertised) {
        // A broker under load still accepts within a second; one that does not is as good as gone for a caller.
        NetClient client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(1000));
        List<String> bootstrap = List.of(bootstrapServers.split(","));
        return () -> {
            Set<String> addresses = new LinkedHashSet<>();
            bootstrap.forEach(a -> addresses.add(a.trim()));
            addresses.addAll(advertised.get());
            return connectToAny(client, new ArrayList<>(addresses), 0, null);
        };
    }

    private static Future<Void> connectToAny(NetClient client, List<String> addresses, int i, String errors) {
        if (i >= addresses.size()) {
            return Future.failedFuture(errors == null ? "no broker address of the form host:port" : errors);
        }
        String address = addresses.get(i);
        int colon = address.lastIndexOf(':');
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            return connectToAny(client, addresses, i + 1, errors);
        }
        return client.connect(port, address.substring(0, colon))
                .compose(socket -> socket.close())
                .recover(e -> connectToAny(
                        client,
                        addresses,
                        i + 1,
                        (errors == null ? "" : errors + "; ") + address + ": " + e.getMessage()));
    }
}

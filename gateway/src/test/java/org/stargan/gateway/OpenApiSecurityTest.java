package org.stargan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.stargan.kafka.KafkaBroker;

/**
 * The security {@code /openapi.yaml} declares is what a gateway with API keys enforces: every operation that lists
 * schemes refuses a request without a key (401) and one whose key lacks the operation's {@code x-scope} (403), and
 * takes the key in each listed way (header, bearer token, {@code ?key=}); every operation declared public answers
 * without a key.
 */
@ExtendWith(KafkaBroker.class)
class OpenApiSecurityTest {
    private static final String TRANSLATE_KEY = "translate-key-0123456789";
    private static final String TRAIN_KEY = "train-key-0123456789abc";

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    @Test
    void theDeclaredSecurityIsWhatTheGatewayEnforces(KafkaBroker.Cluster kafka) throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            GatewayVerticle gateway = new GatewayVerticle();
            String id = UUID.randomUUID().toString().substring(0, 6);
            GatewayConfig config = new GatewayConfig(
                    kafka.bootstrapServers(),
                    "sec" + id + ".",
                    "gw-" + id,
                    0,
                    5_000,
                    16,
                    1 << 20,
                    Map.of(TRANSLATE_KEY, "translate", TRAIN_KEY, "train"));
            vertx.deployVerticle(gateway, new DeploymentOptions().setConfig(config.toJson()))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
            List<String> problems = check(gateway.port());
            assertThat(problems).isEmpty();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private List<String> check(int port) throws Exception {
        JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(OpenApiDocumentTest.document());
        List<String> problems = new ArrayList<>();
        int secured = 0;
        for (var path : iterable(doc.path("paths").fields())) {
            // Any value will do for path parameters: the key is checked before the parameters are.
            String concrete = path.getKey().replaceAll("\\{[^}]+}", "x");
            for (var op : iterable(path.getValue().fields())) {
                if (!List.of("get", "post", "delete").contains(op.getKey())) {
                    continue;
                }
                String method = op.getKey().toUpperCase();
                String name = method + " " + path.getKey();
                JsonNode security = op.getValue().path("security");
                int anonymous = send(port, method, concrete, Map.of());
                if (security.isEmpty()) {
                    if (anonymous == 401 || anonymous == 403) {
                        problems.add(name + " is declared public but answers " + anonymous + " without a key");
                    }
                    continue;
                }
                secured++;
                if (anonymous != 401) {
                    problems.add(name + " declares " + security + " but answers " + anonymous + " without a key");
                }
                String scope = op.getValue().path("x-scope").asText();
                String key = scope.equals("train") ? TRAIN_KEY : TRANSLATE_KEY;
                for (JsonNode requirement : security) {
                    String scheme = requirement.fieldNames().next();
                    int status = switch (scheme) {
                        case "apiKey" -> send(port, method, concrete, Map.of("X-API-Key", key));
                        case "bearer" -> send(port, method, concrete, Map.of("Authorization", "Bearer " + key));
                        case "queryKey" -> send(port, method, concrete + "?key=" + key, Map.of());
                        default -> throw new AssertionError(name + ": unknown scheme " + scheme);
                    };
                    if (status == 401 || status == 403) {
                        problems.add(name + " refuses a " + scope + " key sent by " + scheme + " with " + status);
                    }
                }
                if (scope.equals("train")) {
                    int translateOnly = send(port, method, concrete, Map.of("X-API-Key", TRANSLATE_KEY));
                    if (translateOnly != 403) {
                        problems.add(name + " needs scope train but answers a translate key with " + translateOnly);
                    }
                }
            }
        }
        assertThat(secured).as("operations that require a key").isGreaterThan(5);
        return problems;
    }

    private int send(int port, String method, String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, HttpRequest.BodyPublishers.noBody());
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static <T> Iterable<T> iterable(java.util.Iterator<T> it) {
        return () -> it;
    }
}

package org.stargan.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.stargan.kafka.Topics;

/**
 * What can be checked of the compose file and the Kubernetes manifests without a Docker engine or a cluster: they
 * parse, have the structure the platform needs (probes on the health routes, resource limits, GPUs for workers,
 * autoscaling on the inference group's lag), and every environment variable they set is one the services read.
 */
class DeploymentFilesTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** STARGAN_* names the services' Main classes read, collected from their sources. */
    private static Set<String> variablesTheServicesRead() throws Exception {
        Set<String> names = new HashSet<>();
        Pattern p = Pattern.compile("\"(STARGAN_[A-Z_]+|KAFKA_BOOTSTRAP_SERVERS)\"");
        for (String main : List.of(
                "../gateway/src/main/java/org/stargan/gateway/Main.java",
                "../inference-worker/src/main/java/org/stargan/inference/Main.java",
                "../trainer-worker/src/main/java/org/stargan/trainer/Main.java")) {
            Matcher m = p.matcher(Files.readString(Path.of(main)));
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    private static List<JsonNode> documents(Path file) throws Exception {
        List<JsonNode> docs = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(file.toFile())) {
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isNull() && !n.isEmpty()) {
                    docs.add(n);
                }
            }
        }
        return docs;
    }

    @Test
    void kubernetesManifestsHaveProbesLimitsGpusAutoscalingAndKnownVariables() throws Exception {
        Set<String> known = variablesTheServicesRead();
        assertThat(known).contains("STARGAN_KAFKA_BOOTSTRAP", "STARGAN_API_KEYS_FILE", "STARGAN_DEVICE");
        List<JsonNode> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("k8s"))) {
            for (Path f : files.sorted().toList()) {
                all.addAll(documents(f));
            }
        }
        Set<String> kinds = new HashSet<>();
        for (JsonNode d : all) {
            assertThat(d.path("apiVersion").asText())
                    .as("apiVersion of %s", d.path("metadata").path("name"))
                    .isNotEmpty();
            assertThat(d.path("metadata").path("name").asText()).isNotEmpty();
            kinds.add(d.path("kind").asText());
            if (d.path("kind").asText().equals("Deployment")) {
                String name = d.path("metadata").path("name").asText();
                for (JsonNode c : d.path("spec").path("template").path("spec").path("containers")) {
                    assertThat(c.path("readinessProbe")
                                    .path("httpGet")
                                    .path("path")
                                    .asText())
                            .as(name + " readiness")
                            .isEqualTo("/health/ready");
                    assertThat(c.path("livenessProbe")
                                    .path("httpGet")
                                    .path("path")
                                    .asText())
                            .as(name + " liveness")
                            .isEqualTo("/health/live");
                    assertThat(c.path("resources").path("limits").path("memory").asText())
                            .as(name + " memory limit")
                            .isNotEmpty();
                    if (!name.equals("gateway")) {
                        assertThat(c.path("resources")
                                        .path("limits")
                                        .path("nvidia.com/gpu")
                                        .asInt())
                                .as(name + " GPU")
                                .isEqualTo(1);
                    }
                    for (JsonNode e : c.path("env")) {
                        assertThat(known)
                                .as("%s sets %s", name, e.path("name").asText())
                                .contains(e.path("name").asText());
                    }
                }
            }
            if (d.path("kind").asText().equals("ConfigMap")) {
                d.path("data")
                        .fieldNames()
                        .forEachRemaining(k -> assertThat(known)
                                .as("%s key %s", d.path("metadata").path("name").asText(), k)
                                .contains(k));
            }
            if (d.path("kind").asText().equals("Secret")) {
                // The key file the gateway mounts: in the gateway's format, and shipped without any key (so an unedited
                // deployment refuses to serve rather than accepting a key printed here).
                Path keyFile = Files.createTempFile("api-keys", "");
                Files.writeString(keyFile, d.path("stringData").path("api-keys").asText());
                assertThat(org.stargan.gateway.ApiKeys.readFile(keyFile).isEmpty())
                        .isTrue();
                Files.delete(keyFile);
            }
            if (d.path("kind").asText().equals("ScaledObject")) {
                JsonNode m = d.path("spec").path("triggers").get(0).path("metadata");
                assertThat(m.path("topic").asText()).isEqualTo(Topics.defaults().translateRequests());
                assertThat(m.path("consumerGroup").asText()).isEqualTo("stargan-inference");
            }
        }
        assertThat(kinds)
                .contains(
                        "Deployment",
                        "Service",
                        "ConfigMap",
                        "Secret",
                        "ScaledObject",
                        "Kafka",
                        "KafkaNodePool",
                        "Namespace");
    }

    @Test
    void composeRunsEveryServiceWithKnownVariablesAndExistingFiles() throws Exception {
        Set<String> known = variablesTheServicesRead();
        JsonNode compose = documents(Path.of("compose.yaml")).get(0);
        JsonNode services = compose.path("services");
        Set<String> names = new HashSet<>();
        services.fieldNames().forEachRemaining(names::add);
        assertThat(names).contains("kafka", "gateway", "inference", "trainer", "prometheus", "grafana");
        for (String s : List.of("gateway", "inference", "trainer")) {
            JsonNode svc = services.path(s);
            String module = svc.path("build").path("args").path("SERVICE").asText();
            assertThat(Path.of("..", module, "pom.xml"))
                    .as("%s builds module %s", s, module)
                    .exists();
            svc.path("environment")
                    .fieldNames()
                    .forEachRemaining(
                            e -> assertThat(known).as("%s sets %s", s, e).contains(e));
        }
        for (String s : List.of("inference", "trainer")) {
            assertThat(services.path(s)
                            .path("deploy")
                            .path("resources")
                            .path("reservations")
                            .path("devices")
                            .get(0)
                            .path("capabilities")
                            .toString())
                    .contains("gpu");
        }
        assertThat(Path.of("docker/Dockerfile")).exists();
        assertThat(Files.readString(Path.of("docker/Dockerfile")))
                .contains("USER stargan")
                .contains("AS build")
                .as("OpenCV's cascade files for face detection")
                .contains("opencv-data");
        assertThat(Path.of("models/synthetic48-G.safetensors")).exists();
        assertThat(Path.of("prometheus/prometheus.yml")).exists();
    }
}

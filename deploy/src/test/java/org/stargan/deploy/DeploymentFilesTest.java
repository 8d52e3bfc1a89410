package org.stargan.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.stargan.kafka.TopicPlan;
import org.stargan.kafka.TopicSpec;
import org.stargan.kafka.Topics;
import org.yaml.snakeyaml.Yaml;

/**
 * What the deployment files promise beyond their schemas (KubernetesSchemaTest) and beyond what the container test
 * runs (ComposeDeploymentIT): every volume a pod mounts is defined, with a storage class and ReadWriteMany where pods
 * share it; pods run as the images' user with an fsGroup; the inference pool announces the model every image bundles;
 * the Strimzi topics are the services' own topic plan; every environment variable set is one the services read; the
 * compose file keeps GPUs in its override, gives every service its own port on the shared host network, and builds
 * each image from its distribution.
 */
class DeploymentFilesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BUNDLED_MODEL = "/opt/stargan/models/synthetic48-G.safetensors";

    /**
     * Names the services read: STARGAN_* from their mains, the topic plan and the distributions' start script, and the
     * libtorch settings that start script reads (PYTORCH_*, DJL_*).
     */
    private static Set<String> variablesTheServicesRead() throws Exception {
        Set<String> names = new HashSet<>();
        Pattern p = Pattern.compile("(STARGAN_[A-Z_]+|KAFKA_BOOTSTRAP_SERVERS|PYTORCH_[A-Z_]+|DJL_[A-Z_]+)");
        for (String source : List.of(
                "../gateway/src/main/java/org/stargan/gateway/Main.java",
                "../inference-worker/src/main/java/org/stargan/inference/Main.java",
                "../trainer-worker/src/main/java/org/stargan/trainer/Main.java",
                "../common/protocol/src/main/java/org/stargan/kafka/TopicPlan.java",
                "src/dist/common/bin/run-java")) {
            Matcher m = p.matcher(Files.readString(Path.of(source)));
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** Every YAML document of a file, merge keys ({@code <<: *anchor}) resolved. */
    private static List<JsonNode> documents(Path file) throws Exception {
        List<JsonNode> docs = new ArrayList<>();
        for (Object o : new Yaml().loadAll(Files.readString(file))) {
            if (o != null) {
                docs.add(JSON.valueToTree(o));
            }
        }
        return docs;
    }

    private static List<JsonNode> manifests() throws Exception {
        List<JsonNode> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("k8s"))) {
            for (Path f : files.sorted().toList()) {
                all.addAll(documents(f));
            }
        }
        return all;
    }

    private static List<JsonNode> ofKind(List<JsonNode> all, String kind) {
        return all.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
    }

    @Test
    void kubernetesDeploymentsHaveProbesLimitsGpusTheirUserAndKnownVariables() throws Exception {
        Set<String> known = variablesTheServicesRead();
        assertThat(known).contains("STARGAN_KAFKA_BOOTSTRAP", "STARGAN_QUEUE_PARTITIONS", "STARGAN_JAVA_OPTS");
        List<JsonNode> all = manifests();
        for (JsonNode d : ofKind(all, "Deployment")) {
            String name = d.path("metadata").path("name").asText();
            JsonNode pod = d.path("spec").path("template").path("spec");
            JsonNode security = pod.path("securityContext");
            assertThat(security.path("runAsUser").asInt()).as(name + " user").isEqualTo(10001);
            assertThat(security.path("fsGroup").asInt()).as(name + " fsGroup").isEqualTo(10001);
            for (JsonNode c : pod.path("containers")) {
                assertThat(c.path("readinessProbe").path("httpGet").path("path").asText())
                        .as(name + " readiness")
                        .isEqualTo("/health/ready");
                assertThat(c.path("livenessProbe").path("httpGet").path("path").asText())
                        .as(name + " liveness")
                        .isEqualTo("/health/live");
                assertThat(c.path("resources").path("limits").path("memory").asText())
                        .as(name + " memory limit")
                        .isNotEmpty();
                assertThat(c.path("image").asText()).as(name + " image").startsWith("stargan/");
                if (!name.equals("gateway")) {
                    assertThat(c.path("resources")
                                    .path("limits")
                                    .path("nvidia.com/gpu")
                                    .asInt())
                            .as(name + " GPU")
                            .isEqualTo(1);
                    assertThat(pod.path("tolerations").toString())
                            .as(name + " GPU taint")
                            .contains("nvidia.com/gpu");
                }
                for (JsonNode e : c.path("env")) {
                    assertThat(known)
                            .as("%s sets %s", name, e.path("name").asText())
                            .contains(e.path("name").asText());
                }
            }
        }
        for (JsonNode m : ofKind(all, "ConfigMap")) {
            m.path("data")
                    .fieldNames()
                    .forEachRemaining(
                            k -> assertThat(known).as("ConfigMap key " + k).contains(k));
        }
        for (JsonNode s : ofKind(all, "Secret")) {
            // Shipped without any key, so an unedited deployment refuses to serve rather than accepting a key printed
            // here.
            Path keyFile = Files.createTempFile("api-keys", "");
            Files.writeString(keyFile, s.path("stringData").path("api-keys").asText());
            assertThat(org.stargan.gateway.ApiKeys.readFile(keyFile).isEmpty()).isTrue();
            Files.delete(keyFile);
        }
        assertThat(ofKind(all, "Namespace")).hasSize(1);
        assertThat(ofKind(all, "Service")).isNotEmpty();
    }

    @Test
    void everyClaimAPodMountsIsDefinedWithAStorageClassAndSharedOnesAreReadWriteMany() throws Exception {
        List<JsonNode> all = manifests();
        Map<String, JsonNode> claims = new HashMap<>();
        ofKind(all, "PersistentVolumeClaim")
                .forEach(c -> claims.put(c.path("metadata").path("name").asText(), c));
        Map<String, Set<String>> mountedBy = new HashMap<>();
        for (JsonNode d : ofKind(all, "Deployment")) {
            for (JsonNode v : d.path("spec").path("template").path("spec").path("volumes")) {
                String claim = v.path("persistentVolumeClaim").path("claimName").asText();
                if (!claim.isEmpty()) {
                    mountedBy
                            .computeIfAbsent(claim, k -> new HashSet<>())
                            .add(d.path("metadata").path("name").asText());
                }
            }
        }
        assertThat(mountedBy).containsKeys("stargan-artifacts", "stargan-data");
        mountedBy.forEach((claim, deployments) -> {
            assertThat(claims)
                    .as("claim %s mounted by %s is defined", claim, deployments)
                    .containsKey(claim);
            JsonNode spec = claims.get(claim).path("spec");
            assertThat(spec.path("storageClassName").asText())
                    .as(claim + " storage class")
                    .isNotEmpty();
            assertThat(spec.path("accessModes").toString())
                    .as(claim + " access")
                    .contains("ReadWriteMany");
        });
        assertThat(mountedBy.get("stargan-artifacts")).contains("gateway", "inference", "trainer");
    }

    @Test
    void theInferencePoolAnnouncesTheBundledModelAndScalesWithinThePartitions() throws Exception {
        List<JsonNode> all = manifests();
        JsonNode inference = ofKind(all, "Deployment").stream()
                .filter(d -> d.path("metadata").path("name").asText().equals("inference"))
                .findFirst()
                .orElseThrow();
        Map<String, String> env = new HashMap<>();
        inference
                .path("spec")
                .path("template")
                .path("spec")
                .path("containers")
                .get(0)
                .path("env")
                .forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
        assertThat(env).containsEntry("STARGAN_MODEL", BUNDLED_MODEL).containsEntry("STARGAN_ANNOUNCE_MODEL", "true");
        // The images put deploy/models at /opt/stargan/models (deploy/src/assembly/service.xml).
        assertThat(Path.of("models").resolve(Path.of(BUNDLED_MODEL).getFileName()))
                .exists();
        int partitions = topicPartitions(all).get(Topics.defaults().translateRequests());
        JsonNode scaler = ofKind(all, "ScaledObject").get(0);
        assertThat(scaler.path("spec").path("maxReplicaCount").asInt()).isLessThanOrEqualTo(partitions);
        JsonNode trigger = scaler.path("spec").path("triggers").get(0).path("metadata");
        assertThat(trigger.path("topic").asText()).isEqualTo(Topics.defaults().translateRequests());
        assertThat(trigger.path("consumerGroup").asText()).isEqualTo("stargan-inference");
    }

    @Test
    void strimziTopicsAreTheServicesTopicPlan() throws Exception {
        List<JsonNode> all = manifests();
        String configured = ofKind(all, "ConfigMap")
                .get(0)
                .path("data")
                .path("STARGAN_QUEUE_PARTITIONS")
                .asText();
        List<TopicSpec> plan = TopicPlan.platform(Topics.defaults(), Integer.parseInt(configured));
        Map<String, Integer> partitions = topicPartitions(all);
        Map<String, String> policies = new HashMap<>();
        for (JsonNode t : ofKind(all, "KafkaTopic")) {
            assertThat(t.path("metadata")
                            .path("labels")
                            .path("strimzi.io/cluster")
                            .asText())
                    .isEqualTo(ofKind(all, "Kafka")
                            .get(0)
                            .path("metadata")
                            .path("name")
                            .asText());
            policies.put(
                    t.path("spec").path("topicName").asText(),
                    t.path("spec").path("config").path("cleanup.policy").asText());
        }
        assertThat(partitions).hasSameSizeAs(plan);
        for (TopicSpec spec : plan) {
            assertThat(partitions).as("KafkaTopic " + spec.name()).containsEntry(spec.name(), spec.partitions());
            assertThat(policies)
                    .as(spec.name() + " cleanup.policy")
                    .containsEntry(spec.name(), spec.configs().get("cleanup.policy"));
        }
    }

    private static Map<String, Integer> topicPartitions(List<JsonNode> all) {
        Map<String, Integer> m = new HashMap<>();
        for (JsonNode t : ofKind(all, "KafkaTopic")) {
            m.put(
                    t.path("spec").path("topicName").asText(),
                    t.path("spec").path("partitions").asInt());
        }
        return m;
    }

    /** Compose's ${VAR:-default} and ${VAR:?error} with no variable set. */
    private static String defaults(String s) {
        return s.replaceAll("\\$\\{[A-Z0-9_]+:-([^}]*)}", "$1").replaceAll("\\$\\{[A-Z0-9_]+:\\?[^}]*}", "set");
    }

    @Test
    void composeBuildsEachServiceFromItsDistributionAndKeepsGpusInTheOverride() throws Exception {
        Set<String> known = variablesTheServicesRead();
        JsonNode services = documents(Path.of("compose.yaml")).get(0).path("services");
        Set<String> names = new HashSet<>();
        services.fieldNames().forEachRemaining(names::add);
        assertThat(names)
                .containsExactlyInAnyOrder(
                        "kafka", "gateway", "inference", "inference-2", "trainer", "prometheus", "grafana");
        Set<String> ports = new HashSet<>();
        for (String s : List.of("kafka", "gateway", "inference", "inference-2", "trainer")) {
            JsonNode svc = services.path(s);
            assertThat(svc.path("network_mode").asText()).as(s + " network").isEqualTo("host");
            assertThat(svc.path("deploy").isMissingNode())
                    .as(s + " has no GPU reservation in compose.yaml")
                    .isTrue();
            String service = svc.path("build").path("args").path("SERVICE").asText();
            Path context = Path.of(svc.path("build").path("context").asText());
            // The context is the service's distribution in its module's target/; the Dockerfile is the one Dockerfile.
            Path module = context.getParent().getParent();
            assertThat(module.resolve("pom.xml"))
                    .as(s + " builds from module " + module)
                    .exists();
            assertThat(context.resolve(svc.path("build").path("dockerfile").asText())
                            .toAbsolutePath()
                            .normalize())
                    .isEqualTo(Path.of("docker/Dockerfile").toAbsolutePath().normalize());
            Path script = service.equals("kafka-broker")
                    ? Path.of("kafka-broker/src/dist/bin/kafka-broker")
                    : Path.of("src/dist", service, "bin", service);
            assertThat(script).as(s + " start script").exists();
            assertThat(svc.path("image").asText()).startsWith("stargan/" + service + ":");
            svc.path("environment").fields().forEachRemaining(e -> {
                assertThat(known).as("%s sets %s", s, e.getKey()).contains(e.getKey());
                if (e.getKey().endsWith("_PORT")) {
                    ports.add(defaults(e.getValue().asText()));
                }
            });
            svc.path("command").forEach(c -> {
                if (c.asText().startsWith("${")) {
                    ports.add(defaults(c.asText()));
                }
            });
        }
        // One host network: kafka (2), gateway, three metrics ports, all different.
        assertThat(ports).hasSize(6);
        assertThat(services.path("trainer").path("volumes").toString()).contains("artifacts:/artifacts\"");
        for (String reader : List.of("gateway", "inference", "inference-2")) {
            assertThat(services.path(reader).path("volumes").toString()).contains("artifacts:/artifacts:ro");
        }
        for (String s : List.of("prometheus", "grafana")) {
            assertThat(services.path(s).path("profiles").toString()).contains("monitoring");
        }
        String prometheus = Files.readString(Path.of("prometheus/prometheus.yml"));
        assertThat(prometheus).contains("gateway:8080", "inference:9101", "inference-2:9103", "trainer:9102");

        JsonNode gpu = documents(Path.of("compose.gpu.yaml")).get(0).path("services");
        for (String s : List.of("inference", "inference-2", "trainer")) {
            JsonNode svc = gpu.path(s);
            assertThat(svc.path("deploy")
                            .path("resources")
                            .path("reservations")
                            .path("devices")
                            .get(0)
                            .path("capabilities")
                            .toString())
                    .as(s + " GPU")
                    .contains("gpu");
            assertThat(svc.path("build").path("args").path("TORCH_NATIVE").asText())
                    .isEqualTo("none");
            assertThat(svc.path("environment").path("STARGAN_DEVICE").asText()).isEqualTo("cuda:0");
        }
    }

    @Test
    void theDockerfileTakesItsBaseAndLibtorchAsArgumentsAndRunsAsTheServiceUser() throws Exception {
        String dockerfile = Files.readString(Path.of("docker/Dockerfile"));
        assertThat(dockerfile)
                .contains("ARG BASE=eclipse-temurin:17-jre")
                .contains("ARG TORCH_NATIVE=cpu")
                .contains("USER 10001")
                .contains("chown stargan:stargan /artifacts")
                .doesNotContain(".m2")
                .as("OpenCV's cascade files for face detection in the inference image")
                .contains("opencv-data");
    }
}

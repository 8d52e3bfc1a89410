package org.stargan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchemaValidationException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.openapi.contract.OpenAPIVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /openapi.yaml} is valid OpenAPI 3.0.3 for two validators that are not this project's: Vert.x's contract
 * loader ({@code vertx-openapi}, which checks the document against the OpenAPI 3.0 JSON schema) and the reference
 * swagger-parser; it names its servers and, on every operation, its security. A control proves both validators
 * reject the defect the document once had (an unquoted comma that YAML read as a schema property).
 */
class OpenApiDocumentTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    static String document() throws Exception {
        try (var in = OpenApiDocumentTest.class.getResourceAsStream("/openapi.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void vertxOpenapiAcceptsTheDocument() throws Exception {
        assertThat(vertxOpenapiErrors(document())).isEmpty();
    }

    @Test
    void swaggerParserReportsNothing() throws Exception {
        assertThat(swaggerParserMessages(document())).isEmpty();
    }

    @Test
    void bothValidatorsRejectTheDocumentAsItWasBroken() throws Exception {
        String quoted = "description: \"names the field, the value and what was expected\"";
        assertThat(document()).contains(quoted);
        String broken = document().replace(quoted, "description: names the field, the value and what was expected");
        assertThat(String.join("\n", vertxOpenapiErrors(broken))).contains("the value and what was expected");
        assertThat(swaggerParserMessages(broken))
                .containsExactly("attribute components.schemas.Error.the value and what was expected is unexpected");
    }

    @Test
    void serversAreListedAndEveryOperationDeclaresItsSecurity() throws Exception {
        JsonNode doc = YAML.readTree(document());
        assertThat(doc.path("servers")).as("servers").isNotEmpty();
        JsonNode schemes = doc.path("components").path("securitySchemes");
        assertThat(schemes.fieldNames()).toIterable().contains("apiKey", "bearer", "queryKey");
        List<String> problems = new ArrayList<>();
        int operations = 0;
        for (var path : iterable(doc.path("paths").fields())) {
            for (var op : iterable(path.getValue().fields())) {
                if (!METHODS.contains(op.getKey())) {
                    continue;
                }
                operations++;
                String name = op.getKey().toUpperCase() + " " + path.getKey();
                JsonNode security = op.getValue().path("security");
                if (!security.isArray()) {
                    problems.add(name + ": no security (expected [] for a public route, or its schemes)");
                    continue;
                }
                for (JsonNode requirement : security) {
                    requirement.fieldNames().forEachRemaining(s -> {
                        if (!schemes.has(s)) {
                            problems.add(name + ": security scheme '" + s + "' is not in components");
                        }
                    });
                }
                String scope = op.getValue().path("x-scope").asText("");
                if (security.isEmpty() != scope.isEmpty()) {
                    problems.add(name + ": x-scope '" + scope + "' with security " + security
                            + " (expected a scope exactly when a key is required)");
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(operations).isEqualTo(14);
    }

    @Test
    void thePhotoParametersTheirValuesThe422AndTheFaceBoxesHeaderAreDocumented() throws Exception {
        JsonNode op =
                YAML.readTree(document()).path("paths").path("/v1/translations").path("post");
        java.util.Map<String, JsonNode> params = new java.util.HashMap<>();
        op.path("parameters").forEach(p -> params.put(p.path("name").asText(), p));
        List<String> crops = new ArrayList<>();
        params.get("crop").path("schema").path("enum").forEach(v -> crops.add(v.asText()));
        assertThat(crops)
                .containsExactlyInAnyOrderElementsOf(java.util.Arrays.stream(org.stargan.msg.PhotoOptions.Crop.values())
                        .map(org.stargan.msg.PhotoOptions.Crop::wire)
                        .toList());
        List<String> faces = new ArrayList<>();
        params.get("faces").path("schema").path("enum").forEach(v -> faces.add(v.asText()));
        assertThat(faces)
                .containsExactlyInAnyOrderElementsOf(
                        java.util.Arrays.stream(org.stargan.msg.PhotoOptions.Faces.values())
                                .map(org.stargan.msg.PhotoOptions.Faces::wire)
                                .toList());
        assertThat(params.get("paste").path("schema").path("type").asText()).isEqualTo("boolean");
        assertThat(op.path("responses").has("422")).isTrue();
        assertThat(op.path("responses").path("200").path("headers").has(PhotoParams.FACE_BOXES_HEADER))
                .isTrue();
    }

    /**
     * The errors of vertx-openapi's contract validation (the document against the OpenAPI JSON schema of its version),
     * outermost first; empty when valid. Only the validation: the rest of {@code OpenAPIContract.from} also refuses
     * request media types its own router cannot check (image/png), which is no fault of the document.
     */
    private List<String> vertxOpenapiErrors(String yaml) throws Exception {
        JsonObject contract = new JsonObject(JSON.writeValueAsString(YAML.readTree(yaml)));
        OpenAPIVersion version = OpenAPIVersion.fromContract(contract);
        SchemaRepository repository = await(version.getRepository(vertx, "app://"));
        OutputUnit result = await(version.validateContract(vertx, repository, contract));
        try {
            result.checkValidity();
            return List.of();
        } catch (JsonSchemaValidationException e) {
            List<String> errors = new ArrayList<>();
            for (Throwable t = e; t != null; t = t.getCause()) {
                String location = t instanceof JsonSchemaValidationException v ? v.location() : "";
                errors.add(location + ": " + t.getMessage());
            }
            return errors;
        }
    }

    private static <T> T await(io.vertx.core.Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    /** What swagger-parser reports about the document (missing or unexpected attributes, unresolved references). */
    private static List<String> swaggerParserMessages(String yaml) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        var result = new OpenAPIV3Parser().readContents(yaml, null, options);
        assertThat(result.getOpenAPI()).as("parsed: %s", result.getMessages()).isNotNull();
        return result.getMessages();
    }

    private static <T> Iterable<T> iterable(java.util.Iterator<T> it) {
        return () -> it;
    }
}

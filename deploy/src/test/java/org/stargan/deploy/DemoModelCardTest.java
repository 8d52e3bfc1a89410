package org.stargan.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.stargan.gateway.ModelCatalog;
import org.stargan.msg.ModelAnnouncement;

/**
 * The demo's bundled model is listed by the gateway with its card, so that the web UI can say it is not a photo model:
 * the description from the demo's announcement, the domains and size from the checkpoint itself.
 */
class DemoModelCardTest {
    private static final Path MODEL =
            Path.of("..").toAbsolutePath().normalize().resolve("deploy/models/synthetic48-G.safetensors");

    @Test
    void theBundledModelIsListedAsSyntheticFacesNotForPhotosWithItsOwnDomainsAndSize() {
        ModelAnnouncement announced =
                ModelAnnouncement.fromJson(Demo.defaultModel(MODEL, 1).toJson());
        ModelCatalog catalog = new ModelCatalog();
        catalog.add(ModelCatalog.describe(announced));
        JsonObject model = catalog.toJson().getJsonArray("models").getJsonObject(0);
        assertThat(model.getString("name")).isEqualTo("default");
        assertThat(model.getString("latest")).isEqualTo("synthetic48");
        JsonObject version = model.getJsonArray("versions").getJsonObject(0);
        assertThat(version.getString("metadata_error")).isNull();
        assertThat(version.getString("description"))
                .isEqualTo(Demo.SYNTHETIC_MODEL_CARD)
                .startsWith("synthetic faces, 48 px — not for photos");
        assertThat(version.getInteger("image_size")).isEqualTo(48);
        assertThat(version.getJsonArray("domains")).hasSize(5);
    }
}

package org.stargan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stargan.msg.ModelAnnouncement;

/**
 * The model list shows each version's card: what its announcement says (domains, image size, description) over what
 * its checkpoint file says or lacks, so that an official checkpoint, whose file names nothing, is listed with the
 * names it is served under and a person can tell a photo model from the demo's synthetic one.
 */
class ModelCatalogTest {
    @TempDir
    Path tmp;

    private Path officialCheckpoint() throws Exception {
        Path ckpt = tmp.resolve("200000-G.ckpt");
        try (var in = getClass().getResourceAsStream("/parity/tiny-G.zip.ckpt")) {
            Files.copy(in, ckpt);
        }
        return ckpt;
    }

    @Test
    void anOfficialCheckpointIsListedWithItsAnnouncedDomainsSizeAndDescription() throws Exception {
        ModelAnnouncement a = new ModelAnnouncement(
                "default",
                "celeba-200000",
                officialCheckpoint().toUri().toString(),
                5,
                List.of("Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young"),
                128,
                "CelebA photos, 128 px (the official StarGAN generator)");
        ModelCatalog catalog = new ModelCatalog();
        catalog.add(ModelCatalog.describe(a));
        JsonObject version = catalog.toJson()
                .getJsonArray("models")
                .getJsonObject(0)
                .getJsonArray("versions")
                .getJsonObject(0);
        assertThat(version.getString("description"))
                .isEqualTo("CelebA photos, 128 px (the official StarGAN generator)");
        assertThat(version.getInteger("image_size")).isEqualTo(128);
        assertThat(version.getJsonArray("domains"))
                .isEqualTo(new JsonArray(List.of("Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young")));
        // The hair colours are one exclusive group, as the workers serve them.
        assertThat(version.getJsonArray("exclusive_groups"))
                .isEqualTo(new JsonArray().add(new JsonArray(List.of("Black_Hair", "Blond_Hair", "Brown_Hair"))));
        // The gateway checks targets against these names before queuing anything.
        assertThat(catalog.domains("default", null).names())
                .containsExactly("Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young");
    }

    @Test
    void anAnnouncementWithoutACardListsNoneAndLeavesTheDomainsToTheWorker() throws Exception {
        ModelCatalog catalog = new ModelCatalog();
        catalog.add(ModelCatalog.describe(
                new ModelAnnouncement("default", "v1", officialCheckpoint().toString(), 1)));
        JsonObject version = catalog.toJson()
                .getJsonArray("models")
                .getJsonObject(0)
                .getJsonArray("versions")
                .getJsonObject(0);
        assertThat(version.containsKey("description")).isFalse();
        assertThat(version.containsKey("domains")).isFalse();
        assertThat(catalog.domains("default", null)).isNull();
    }
}

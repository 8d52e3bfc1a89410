package org.stargan.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys are kept as hashes, scopes nest, and bad key files are refused line by line. */
class ApiKeysTest {
    @TempDir
    Path tmp;

    @Test
    void aKeyFileHoldsOnlyHashesAndScopesNest() throws Exception {
        String alice = ApiKeys.newKey();
        String bob = ApiKeys.newKey();
        assertThat(alice).hasSize(43).isNotEqualTo(bob);
        Path file = tmp.resolve("keys");
        Files.writeString(
                file,
                "# the gateway's keys\n" + ApiKeys.fileLine("alice", alice, ApiKeys.Scope.TRANSLATE) + "\n\n"
                        + ApiKeys.fileLine("bob", bob, ApiKeys.Scope.TRAIN) + "   # trains models\n");
        assertThat(Files.readString(file)).doesNotContain(alice).doesNotContain(bob);
        ApiKeys keys = ApiKeys.readFile(file);
        assertThat(keys.holder(alice).name()).isEqualTo("alice");
        assertThat(keys.holder(alice).allows(ApiKeys.Scope.TRANSLATE)).isTrue();
        assertThat(keys.holder(alice).allows(ApiKeys.Scope.TRAIN)).isFalse();
        assertThat(keys.holder(bob).allows(ApiKeys.Scope.TRAIN)).isTrue();
        assertThat(keys.holder(bob).allows(ApiKeys.Scope.ADMIN)).isFalse();
        assertThat(keys.holder("guess")).isNull();
        assertThat(keys.holder(null)).as("no open translation").isNull();
        // The deployment config carries hashes only and reads back the same.
        assertThat(keys.toJson().encode()).doesNotContain(alice).contains(ApiKeys.hash(alice));
        assertThat(ApiKeys.fromJson(keys.toJson()).holder(bob).name()).isEqualTo("bob");
    }

    @Test
    void plainKeysAreHashedAndAnyoneMayOnlyTranslate() {
        ApiKeys keys = ApiKeys.parsePlain("k1:admin, *:translate", "--api-keys");
        assertThat(keys.holder("k1").allows(ApiKeys.Scope.ADMIN)).isTrue();
        assertThat(keys.openToAnyone()).isTrue();
        assertThat(keys.holder(null).allows(ApiKeys.Scope.TRANSLATE)).isTrue();
        assertThat(keys.toJson().encode()).doesNotContain("\"k1\"");
        assertThatThrownBy(() -> ApiKeys.parsePlain("*:train", "--api-keys"))
                .hasMessageContaining("'*' (anyone without a key) may only have scope translate");
        assertThatThrownBy(() -> ApiKeys.parsePlain("k1:root", "--api-keys"))
                .hasMessage("--api-keys: scope 'root', expected translate, train or admin");
        assertThatThrownBy(() -> ApiKeys.parsePlain("secretkeywithoutscope", "--api-keys"))
                .hasMessageContaining("'secr…'")
                .hasMessageNotContaining("secretkeywithoutscope");
    }

    @Test
    void badKeyFilesNameTheLine() throws Exception {
        Path file = tmp.resolve("keys");
        Files.writeString(file, "alice sha256:" + "ab".repeat(32) + " translate\nbob my-plain-key train\n");
        assertThatThrownBy(() -> ApiKeys.readFile(file))
                .hasMessageStartingWith("keys line 2: ")
                .hasMessageContaining("expected sha256:<64")
                .hasMessageNotContaining("my-plain-key");
        Files.writeString(file, "alice sha256:" + "ab".repeat(32) + "\n");
        assertThatThrownBy(() -> ApiKeys.readFile(file)).hasMessageStartingWith("keys line 1: 2 fields");
        Files.writeString(
                file, "alice sha256:" + "ab".repeat(32) + " translate\nbob sha256:" + "ab".repeat(32) + " train\n");
        assertThatThrownBy(() -> ApiKeys.readFile(file)).hasMessage("keys line 2: the same key hash appears twice");
        assertThatThrownBy(() -> ApiKeys.readFile(tmp.resolve("missing"))).hasMessageContaining("cannot be read");
    }
}

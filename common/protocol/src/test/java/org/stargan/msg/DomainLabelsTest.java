package org.stargan.msg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Named targets: exclusive groups, and the edits that are refused naming the field and the value. */
class DomainLabelsTest {
    private final DomainLabels labels =
            new DomainLabels(List.of("Black_Hair", "Blond_Hair", "Male"), List.of(List.of("Black_Hair", "Blond_Hair")));

    @Test
    void turningOnOneHairColourTurnsTheOtherOff() {
        assertThat(labels.applyTargets("Blond_Hair=1", new float[] {1, 0, 0.5f}, "target"))
                .containsExactly(0, 1, 0.5f);
    }

    @Test
    void aDomainNamedTwiceIsRefusedWhateverItsCase() {
        assertThatThrownBy(() -> labels.applyTargets("Blond_Hair=1,Blond_Hair=0", new float[3], "target"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("target: domain 'Blond_Hair' is given twice in 'Blond_Hair=1,Blond_Hair=0', "
                        + "expected each domain at most once");
        assertThatThrownBy(() -> labels.applyTargets("male=1, Male=1", new float[3], "stargan.target"))
                .hasMessageStartingWith("stargan.target: domain 'Male' is given twice");
    }
}

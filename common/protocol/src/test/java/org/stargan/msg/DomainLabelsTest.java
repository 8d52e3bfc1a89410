package org.stargan.msg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The one rule for label values and domain names that the CLI, the gateway and the workers share. */
class DomainLabelsTest {
    private final DomainLabels celeba =
            DomainLabels.withOfficialGroups(List.of("Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young"), false);

    private final DomainLabels labels =
            new DomainLabels(List.of("Black_Hair", "Blond_Hair", "Male"), List.of(List.of("Black_Hair", "Blond_Hair")));

    @Test
    void valuesFrom0To1AreTakenFractionsIncluded() {
        assertThat(celeba.applyTargets("Blond_Hair=1,Male=0.5", new float[5], "target"))
                .containsExactly(0f, 1f, 0f, 0.5f, 0f);
        assertThat(celeba.parseVector("0,1,0,0.25,1", "labels")).containsExactly(0f, 1f, 0f, 0.25f, 1f);
    }

    @Test
    void valuesOutside0To1AreRefusedNamingFieldDomainAndRange() {
        assertThatThrownBy(() -> celeba.applyTargets("Blond_Hair=2", new float[5], "stargan.target"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stargan.target: Blond_Hair=2.0 is out of range, expected 0..1");
        assertThatThrownBy(() -> celeba.applyTargets("male=-0.5", new float[5], "--target"))
                .hasMessage("--target: Male=-0.5 is out of range, expected 0..1");
        assertThatThrownBy(() -> celeba.parseVector("0,1,0,1.5,0", "labels"))
                .hasMessage("labels: Male=1.5 is out of range, expected 0..1");
        assertThatThrownBy(() -> celeba.parseVector("0,1,0,NaN,0", "labels"))
                .hasMessage("labels: 'NaN' in '0,1,0,NaN,0' is not a finite number");
    }

    @Test
    void namesMatchWithoutRegardToCaseAndStillTurnTheRestOfTheirGroupOff() {
        float[] brown = {0, 0, 1, 0, 0};
        assertThat(celeba.applyTargets("blond_hair=1", brown, "target")).containsExactly(0f, 1f, 0f, 0f, 0f);
        assertThat(celeba.applyTargets("BLOND_HAIR=1,brown_hair=1", brown, "target"))
                .containsExactly(0f, 1f, 1f, 0f, 0f);
        assertThatThrownBy(() -> celeba.applyTargets("Blonde=1", brown, "target"))
                .hasMessageContaining("unknown domain 'Blonde'");
    }

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

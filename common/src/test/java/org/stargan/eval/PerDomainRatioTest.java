package org.stargan.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The eval report's region ratios: a domain whose change alters no pixel has no value there (null), not a perfect 0,
 * and the overall ratio pools the pixels of the domains that have some. The end-to-end test's tiny faces always
 * change some pixels, so this case is checked here.
 */
class PerDomainRatioTest {
    @Test
    void aRegionWithNoPixelsHasNoValueAndDoesNotDiluteTheOverallRatio() {
        Map<String, Object> m = TranslationEvaluation.perDomainRatio(
                List.of("Male", "Young"), new double[] {3, 0}, new double[] {6, 0});
        assertThat(m).containsEntry("overall", 0.5).containsEntry("Male", 0.5).containsEntry("Young", null);
        assertThat(m.keySet()).containsExactly("overall", "Male", "Young");
    }

    @Test
    void noPixelsAnywhereGivesNoOverallValue() {
        Map<String, Object> m = TranslationEvaluation.perDomainRatio(
                List.of("Male", "Young"), new double[] {0, 0}, new double[] {0, 0});
        assertThat(m).containsEntry("overall", null).containsEntry("Male", null).containsEntry("Young", null);
    }
}

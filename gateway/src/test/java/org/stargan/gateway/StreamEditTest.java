package org.stargan.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.stargan.msg.PhotoOptions;

/** Live edits are read strictly: seq a non-negative integer in range, each field of its type. */
class StreamEditTest {
    @Test
    void aWellFormedEditIsRead() throws Exception {
        StreamEdit e = StreamEdit.parse("{\"seq\": 7, \"target\": \"Male=1\", \"version\": \"v2\"}");
        assertThat(e).isEqualTo(new StreamEdit(7, "Male=1", null, "default", "v2", PhotoOptions.DEFAULT));
        assertThat(StreamEdit.parse("{\"seq\": 9007199254740991, \"labels\": \"0,1\"}")
                        .seq())
                .isEqualTo(StreamEdit.MAX_SEQ);
    }

    @Test
    void aBadSeqIsNamedWithItsValue() {
        for (String[] c : new String[][] {
            {"\"abc\"", "seq: 'abc'"},
            {"null", "seq: missing"},
            {"-1", "seq: -1"},
            {"1.5", "seq: 1.5"},
            {"12345678901234567890", "seq: 12345678901234567890"},
            {"9007199254740992", "seq: 9007199254740992"},
            {"[1]", "seq: [1]"},
        }) {
            assertThatThrownBy(() -> StreamEdit.parse("{\"seq\": " + c[0] + ", \"target\": \"Male=1\"}"))
                    .as(c[0])
                    .isInstanceOf(StreamEdit.Invalid.class)
                    .hasMessage(c[1] + ", expected an integer 0..9007199254740991")
                    .satisfies(t -> assertThat(((StreamEdit.Invalid) t).fatal).isFalse());
        }
        assertThatThrownBy(() -> StreamEdit.parse("{\"target\": \"Male=1\"}")).hasMessageStartingWith("seq: missing");
    }

    @Test
    void aFieldOfTheWrongTypeIsNamedWithTheEditsSeq() {
        assertThatThrownBy(() -> StreamEdit.parse("{\"seq\": 3, \"target\": 5}"))
                .hasMessage("target: 5 in edit 3, expected a string")
                .satisfies(t -> assertThat(((StreamEdit.Invalid) t).seq).isEqualTo(3));
        assertThatThrownBy(() -> StreamEdit.parse("{\"seq\": 3}"))
                .hasMessage("target or labels: neither given in edit 3");
    }

    @Test
    void photoOptionsAreReadAndABadOneIsNamedWithItsValueAndWhatIsExpected() throws Exception {
        StreamEdit e = StreamEdit.parse(
                "{\"seq\": 4, \"target\": \"Male=1\", \"crop\": \"face\", \"paste\": true, \"faces\": \"all\"}");
        assertThat(e.photo()).isEqualTo(new PhotoOptions(PhotoOptions.Crop.FACE, true, PhotoOptions.Faces.ALL));
        assertThat(StreamEdit.parse("{\"seq\": 5, \"target\": \"Male=1\", \"crop\": \"none\", \"paste\": false}")
                        .photo())
                .isEqualTo(new PhotoOptions(PhotoOptions.Crop.NONE, false, PhotoOptions.Faces.LARGEST));
        for (String[] c : new String[][] {
            {"\"crop\": \"eyes\"", "crop: 'eyes', expected face, center or none (in edit 6)"},
            {"\"crop\": 1", "crop: 1 in edit 6, expected a string"},
            {"\"faces\": \"some\"", "faces: 'some', expected largest or all (in edit 6)"},
            {"\"paste\": \"yes\"", "paste: 'yes' in edit 6, expected true or false (a JSON boolean)"},
            {"\"paste\": 1", "paste: 1 in edit 6, expected true or false (a JSON boolean)"},
        }) {
            assertThatThrownBy(() -> StreamEdit.parse("{\"seq\": 6, \"target\": \"Male=1\", " + c[0] + "}"))
                    .as(c[0])
                    .isInstanceOf(StreamEdit.Invalid.class)
                    .hasMessage(c[1])
                    .satisfies(t -> assertThat(((StreamEdit.Invalid) t).seq).isEqualTo(6))
                    .satisfies(t -> assertThat(((StreamEdit.Invalid) t).fatal).isFalse());
        }
    }

    @Test
    void somethingThatIsNotAJsonObjectIsFatal() {
        for (String text : new String[] {"not json", "[1, 2]", "7", ""}) {
            assertThatThrownBy(() -> StreamEdit.parse(text))
                    .as(text)
                    .hasMessageStartingWith("edit: not a JSON object")
                    .satisfies(t -> assertThat(((StreamEdit.Invalid) t).fatal).isTrue());
        }
    }
}

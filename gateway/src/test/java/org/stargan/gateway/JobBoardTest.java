package org.stargan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Job state from train events, replayed then followed live. */
class JobBoardTest {
    private static JsonObject event(String type, long iteration) {
        return new JsonObject()
                .put("job_id", "j1")
                .put("type", type)
                .put("iteration", iteration)
                .put("time_ms", 1L);
    }

    @Test
    void aFollowerHearsThePastThenTheNewEventsUntilItStops() {
        JobBoard board = new JobBoard();
        board.apply(event("queued", 0));
        List<String> heard = new ArrayList<>();
        Runnable stop = board.follow("j1", e -> heard.add(e.getString("type")));
        board.apply(event("log", 10));
        stop.run();
        board.apply(event("log", 20));
        assertThat(heard).containsExactly("queued", "log");
        assertThat(board.job("j1").getLong("iteration")).isEqualTo(20);
    }

    @Test
    void followingAnEndedJobReplaysItAndKeepsNoListener() {
        JobBoard board = new JobBoard();
        board.apply(event("running", 0));
        board.apply(event("done", 20));
        List<String> heard = new ArrayList<>();
        // The event stream ends its response during the replay; nothing may be left listening afterwards.
        board.follow("j1", e -> heard.add(e.getString("type")));
        board.apply(event("log", 30));
        assertThat(heard).containsExactly("running", "done");
        assertThat(JobBoard.ended(board.job("j1"))).isTrue();
    }
}

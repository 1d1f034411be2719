package dynamo.obs.it.support;

import static dynamo.obs.it.support.FrontendSeries.requests;
import static dynamo.obs.it.support.FrontendSeries.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Upstream Dynamo's label rules for frontend requests (main of 2026-08-21 at 2a6da14c), asserted the same
 * way on every HTTP stack the recorder serves: an application that answers 404 for a model makes it
 * {@code unknown_model}; the model keeps the request's casing; 503 is {@code unavailable}, 429 and 529
 * {@code overload}; a body that is not JSON (cut short included) is not counted at all. The application
 * answers what the {@code x-scenario} header asks ({@code status-NNN}, {@code unary}, {@code stream}).
 */
public final class LabelRules {
  /** Posts a body with an {@code x-scenario}; returns the status. */
  public interface Client {
    int post(String path, String scenario, String body);
  }

  private final SystemServer system;
  private final AgentProcess app;
  private final Client client;
  private final String chatPath;

  public LabelRules(SystemServer system, AgentProcess app, Client client, String chatPath) {
    this.system = system;
    this.app = app;
    this.client = client;
    this.chatPath = chatPath;
  }

  private double now(String series) {
    Double v = value(system.metrics(), series);
    return v == null ? 0 : v;
  }

  /**
   * Made-up models the application answers 404 for are counted under {@code unknown_model} (error_type
   * {@code not_found}), and no series names them; a real model answered after them has its own series.
   */
  public void madeUpModelsAreUnknownModel(String prefix) {
    String unknown = requests("unknown_model", "chat_completions", "unary", "error", "not_found");
    String started = "dynamo_frontend_requests_started_total{endpoint=\"chat_completions\",model=\"unknown_model\","
        + "request_type=\"unary\"}";
    double before = now(unknown);
    double startedBefore = now(started);
    for (int i = 0; i < 20; i++) {
      assertEquals(404, client.post(chatPath, "status-404", "{\"model\":\"" + prefix + "-made-up-" + i + "\"}"));
    }
    assertEquals(200, client.post(chatPath, "unary", "{\"model\":\"" + prefix + "-real\"}"));
    String m = FrontendSeries.await(system, app, unknown, before + 20, started, startedBefore + 20,
        requests(prefix + "-real", "chat_completions", "unary", "success", ""), 1);
    assertFalse(m.contains(prefix + "-made-up"), m);
  }

  /** {@code Mixed-Case/Model-7B} is labelled as the request spells it. */
  public void theModelKeepsItsCasing(String model) {
    assertEquals(200, client.post(chatPath, "unary", "{\"model\":\"" + model + "\"}"));
    String m = FrontendSeries.await(system, app, requests(model, "chat_completions", "unary", "success", ""), 1);
    String lowerCase = model.toLowerCase(java.util.Locale.ROOT);
    assertNull(value(m, requests(lowerCase, "chat_completions", "unary", "success", "")));
  }

  /** Upstream's error types of HTTP statuses; 529 is also a rejection. */
  public void statusesAreClassifiedAsUpstream(String prefix) {
    String[][] cases = {{"503", "unavailable"}, {"429", "overload"}, {"529", "overload"}, {"400", "validation"},
        {"501", "not_implemented"}, {"504", "response_timeout"}, {"500", "internal"}};
    for (String[] c : cases) {
      int status = client.post(chatPath, "status-" + c[0], "{\"model\":\"" + prefix + c[0] + "\"}");
      assertEquals(Integer.parseInt(c[0]), status);
    }
    for (String[] c : cases) {
      FrontendSeries.await(system, app, requests(prefix + c[0], "chat_completions", "unary", "error", c[1]), 1);
    }
    String m = FrontendSeries.await(system, app,
        "dynamo_frontend_model_rejection_total{endpoint=\"chat_completions\",model=\"" + prefix + "529\"}", 1);
    assertNull(value(m, "dynamo_frontend_model_rejection_total{endpoint=\"chat_completions\",model=\"" + prefix
        + "429\"}"), "a rate limit (429) is no rejection for want of capacity");
  }

  /**
   * Malformed, cut-short ({@code {"model":"M","messages":[…} with no end) and empty bodies, answered 400 by the
   * application, are not counted at all (upstream rejects them before any metric), under no model: the totals
   * of every request series move by exactly the one valid request sent after them.
   */
  public void bodiesThatAreNotJsonAreNotCounted(String prefix) {
    double total = sum("dynamo_frontend_requests_total{");
    double started = sum("dynamo_frontend_requests_started_total{");
    for (String body : new String[]{"{\"model\":\"" + prefix + "-bad\", nope}",
        "{\"model\":\"" + prefix + "-cut\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}",
        "{\"model\":\"" + prefix + "-cut\",\"messages\":[", ""}) {
      assertEquals(400, client.post(chatPath, "status-400", body));
    }
    assertEquals(200, client.post(chatPath, "unary", "{\"model\":\"" + prefix + "-after\"}"));
    String after = requests(prefix + "-after", "chat_completions", "unary", "success", "");
    String m = FrontendSeries.await(system, app, after, 1);
    assertEquals(total + 1, sum(m, "dynamo_frontend_requests_total{"), "only the valid request is counted");
    assertEquals(started + 1, sum(m, "dynamo_frontend_requests_started_total{"));
    assertFalse(m.contains(prefix + "-bad") || m.contains(prefix + "-cut"), m);
  }

  /** Upstream's per-request media counts of a chat request's content parts. */
  public void mediaPartsAreCounted(String model) {
    String body = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":["
        + "{\"type\":\"text\",\"text\":\"compare\"},"
        + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/a.png\"}},"
        + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/b.png\"}},"
        + "{\"type\":\"video_url\",\"video_url\":{\"url\":\"https://example.com/c.mp4\"}},"
        + "{\"type\":\"audio_url\",\"audio_url\":{\"url\":\"https://example.com/d.wav\"}}]}]}";
    assertEquals(200, client.post(chatPath, "unary", body));
    String m = "{model=\"" + model + "\"}";
    FrontendSeries.await(system, app, "dynamo_frontend_images_per_request_sum" + m, 2,
        "dynamo_frontend_images_per_request_count" + m, 1,
        "dynamo_frontend_videos_per_request_sum" + m, 1,
        "dynamo_frontend_audio_per_request_sum" + m, 1);
  }

  private double sum(String prefix) {
    return sum(system.metrics(), prefix);
  }

  /** The sum of every series of one family (lines starting with {@code name{}). */
  static double sum(String metrics, String prefix) {
    double s = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith(prefix)) {
        s += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return s;
  }
}

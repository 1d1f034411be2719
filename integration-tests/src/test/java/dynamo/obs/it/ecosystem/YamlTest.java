package dynamo.obs.it.ecosystem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the file checks read YAML: as Kubernetes does, integers as Long, and what is refused. */
class YamlTest {
  @Test
  void readsBlockAndFlowCollectionsAndResolvesPlainScalarsAsKubernetesDoes() {
    Object doc = Yaml.parse(String.join("\n",
        "# comment",
        "a: 1",
        "b: \"1\"",
        "c: true   # trailing comment",
        "d: on",
        "e: 'it''s # not a comment'",
        "f: 0.0.0.0",
        "g: [x, \"y\", 3]",
        "h: {}",
        "i:",
        "- k: v",
        "  l: w",
        "- plain item",
        "- - nested",
        "j:",
        "  deeper:",
        "    value: ~",
        "url: http://host:4317/v1",
        "q: '{service_name=~\".+\"} | trace_id = \"$${__trace.traceId}\"'",
        ""), "test");
    assertEquals(1L, Yaml.at(doc, "a"));
    assertEquals("1", Yaml.at(doc, "b"));
    assertEquals(Boolean.TRUE, Yaml.at(doc, "c"));
    assertEquals(Boolean.TRUE, Yaml.at(doc, "d"), "YAML 1.1, as Kubernetes reads it");
    assertEquals("it's # not a comment", Yaml.at(doc, "e"));
    assertEquals("0.0.0.0", Yaml.at(doc, "f"));
    assertEquals(List.of("x", "y", 3L), Yaml.at(doc, "g"));
    assertEquals(Map.of(), Yaml.at(doc, "h"));
    assertEquals(List.of(Map.of("k", "v", "l", "w"), "plain item", List.of("nested")), Yaml.at(doc, "i"));
    assertEquals(null, Yaml.at(doc, "j", "deeper", "value"));
    assertEquals("http://host:4317/v1", Yaml.at(doc, "url"));
    assertEquals("{service_name=~\".+\"} | trace_id = \"$${__trace.traceId}\"", Yaml.at(doc, "q"));
  }

  @Test
  void splitsDocuments() {
    assertEquals(2, Yaml.parseAll("a: 1\n---\nb: 2\n---\n", "test").size());
  }

  @Test
  void refusesWhatIsNotOneWellFormedDocument() {
    assertThrows(IllegalArgumentException.class, () -> Yaml.parse("a: 1\na: 2\n", "t"), "duplicate key");
    assertThrows(IllegalArgumentException.class, () -> Yaml.parse("a:\n  b: 1\n   c: 2\n", "t"), "indentation");
    assertThrows(IllegalArgumentException.class, () -> Yaml.parse("a: [1, 2\n", "t"), "unclosed flow");
    assertThrows(IllegalArgumentException.class, () -> Yaml.parse("a: 1\n---\nb: 2\n", "t"), "two documents");
  }
}

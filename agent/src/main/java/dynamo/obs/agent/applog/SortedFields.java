package dynamo.obs.agent.applog;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The fields of one of the agent's own events: names and text values in two arrays, sorted by name
 * (the order both console forms write them in). Immutable; three objects where a sorted map of four
 * fields is ten, made on the request's thread for every lifecycle event.
 */
public final class SortedFields extends AbstractMap<String, String> {
  private final String[] names;
  private final String[] values;

  private SortedFields(String[] names, String[] values) {
    this.names = names;
    this.values = values;
  }

  /**
   * Alternating names and values. A null name or value leaves the pair out; a non-finite number is
   * {@code "0"} (as in Dynamo); anything else is its text. A name given twice keeps its last value.
   */
  static Map<String, String> of(Object... namesAndValues) {
    int n = 0;
    String[] names = new String[namesAndValues.length / 2];
    String[] values = new String[names.length];
    for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
      Object name = namesAndValues[i];
      Object value = namesAndValues[i + 1];
      if (name == null || value == null) {
        continue;
      }
      String key = name.toString();
      String text = text(value);
      int at = n;
      while (at > 0 && names[at - 1].compareTo(key) > 0) {
        at--;
      }
      if (at > 0 && names[at - 1].equals(key)) {
        values[at - 1] = text;
        continue;
      }
      System.arraycopy(names, at, names, at + 1, n - at);
      System.arraycopy(values, at, values, at + 1, n - at);
      names[at] = key;
      values[at] = text;
      n++;
    }
    if (n == 0) {
      return Map.of();
    }
    if (n < names.length) {
      names = Arrays.copyOf(names, n);
      values = Arrays.copyOf(values, n);
    }
    return new SortedFields(names, values);
  }

  /**
   * Values for {@code names}, a constant list already in order and without repeats (the lifecycle events' own): as
   * {@link #of}, a null value leaves its pair out, but nothing is compared or moved, and {@code names} itself is kept
   * when every value is there.
   */
  static Map<String, String> sorted(String[] names, Object... values) {
    String[] texts = new String[names.length];
    int n = 0;
    for (int i = 0; i < names.length; i++) {
      Object value = values[i];
      if (value != null) {
        texts[n++] = text(value);
      }
    }
    if (n == names.length) {
      return new SortedFields(names, texts);
    }
    if (n == 0) {
      return Map.of();
    }
    String[] kept = new String[n];
    n = 0;
    for (int i = 0; i < names.length; i++) {
      if (values[i] != null) {
        kept[n++] = names[i];
      }
    }
    return new SortedFields(kept, Arrays.copyOf(texts, n));
  }

  /** A value as its field's text: a non-finite number is {@code "0"} (as in Dynamo), anything else its text. */
  private static String text(Object value) {
    return nonFinite(value) ? "0" : String.valueOf(value);
  }

  private static boolean nonFinite(Object value) {
    return (value instanceof Double && !Double.isFinite((Double) value))
        || (value instanceof Float && !Float.isFinite((Float) value));
  }

  @Override
  public int size() {
    return names.length;
  }

  @Override
  public String get(Object key) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(key)) {
        return values[i];
      }
    }
    return null;
  }

  @Override
  public boolean containsKey(Object key) {
    return get(key) != null;
  }

  @Override
  public Set<Map.Entry<String, String>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return names.length;
      }

      @Override
      public Iterator<Map.Entry<String, String>> iterator() {
        return new Iterator<>() {
          private int i;

          @Override
          public boolean hasNext() {
            return i < names.length;
          }

          @Override
          public Map.Entry<String, String> next() {
            if (i >= names.length) {
              throw new NoSuchElementException();
            }
            Map.Entry<String, String> e = new AbstractMap.SimpleImmutableEntry<>(names[i], values[i]);
            i++;
            return e;
          }
        };
      }
    };
  }

  @Override
  public void forEach(BiConsumer<? super String, ? super String> action) {
    for (int i = 0; i < names.length; i++) {
      action.accept(names[i], values[i]);
    }
  }
}

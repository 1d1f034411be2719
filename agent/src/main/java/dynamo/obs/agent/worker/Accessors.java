package dynamo.obs.agent.worker;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/** Reads well-known accessors ({@code getModel()}, {@code workerId()} …) of application objects, cached per class. */
final class Accessors {
  private final String[] names;
  private final ClassValue<Method> found = new ClassValue<>() {
    @Override
    protected Method computeValue(Class<?> type) {
      for (String name : names) {
        try {
          Method m = type.getMethod(name);
          if (!Modifier.isStatic(m.getModifiers()) && m.getReturnType() != void.class) {
            m.setAccessible(true);
            return m;
          }
        } catch (NoSuchMethodException | RuntimeException e) {
          // next name (RuntimeException: inaccessible in a module)
        }
      }
      return null;
    }
  };

  Accessors(String... names) {
    this.names = names;
  }

  /** The accessor's value as a string, or null when the object has none (or it failed). */
  String read(Object target) {
    Object v = value(target);
    return v == null ? null : v.toString();
  }

  /** The accessor's value, or null when the object has none (or it failed). */
  Object value(Object target) {
    if (target == null) {
      return null;
    }
    Method m = found.get(target.getClass());
    if (m == null) {
      return null;
    }
    try {
      return m.invoke(target);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /** The accessor's value as a whole number, or -1. */
  long number(Object target) {
    Object v = value(target);
    return v instanceof Number ? ((Number) v).longValue() : -1;
  }
}

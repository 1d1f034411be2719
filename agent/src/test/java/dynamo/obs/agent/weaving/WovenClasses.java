package dynamo.obs.agent.weaving;

import java.lang.reflect.InvocationTargetException;

/** The weaver tests' way to run what they wove: the class defined apart, its methods called as the application would. */
final class WovenClasses {
  private WovenClasses() {
  }

  /** The class {@code name} defined from {@code bytes} in a loader of its own (under the tests' loader). */
  static Class<?> define(String name, byte[] bytes) throws ClassNotFoundException {
    return new ClassLoader(WovenClasses.class.getClassLoader()) {
      @Override
      protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
        if (n.equals(name)) {
          synchronized (getClassLoadingLock(n)) {
            Class<?> c = findLoadedClass(n);
            return c != null ? c : defineClass(n, bytes, 0, bytes.length);
          }
        }
        return super.loadClass(n, resolve);
      }
    }.loadClass(name);
  }

  /** A public method of {@code type} called on {@code target} (null: a static one); what it throws is thrown as it is. */
  static Object call(Class<?> type, Object target, String name, Class<?>[] types, Object... args) throws Throwable {
    try {
      return type.getMethod(name, types).invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}

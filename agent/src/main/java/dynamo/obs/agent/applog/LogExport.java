package dynamo.obs.agent.applog;

/**
 * Where captured log events go to leave the process (OTLP log records). The no-op until the
 * export pipeline installs itself; {@link #emit} never blocks and never throws.
 */
public interface LogExport {
  void emit(LogEvent event);

  LogExport NONE = e -> {
  };

  static LogExport current() {
    return Holder.current;
  }

  static void install(LogExport export) {
    Holder.current = export == null ? NONE : export;
  }

  final class Holder {
    private static volatile LogExport current = NONE;

    private Holder() {
    }
  }
}

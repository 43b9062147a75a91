// SQLite's C API (libsqlite3-dev), the node's chain store.
#include <sqlite3.h>

// chroot for the privilege drop (src/server/privileges.ts); the rest of the drop is process.*.
#include "privileges.h"

#include <errno.h>
#include <unistd.h>

int enterChroot(const char* path, const char** syscall) {
  *syscall = "chroot";
  if (chroot(path) != 0) return errno;
  *syscall = "chdir";
  if (chdir("/") != 0) return errno;
  return 0;
}

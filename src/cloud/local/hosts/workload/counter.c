/*
 * The migration workload: a TCP server that counts. It holds `mem_mib` MiB of memory filled with a
 * known pattern (so a checkpoint carries that many dirty pages) and appends every count to a log
 * file (on the container's volume, so the disk moves with it). Its first line, "# listening ...",
 * tells the host the server is ready; the standard streams stay unused so the process holds no
 * descriptor of whoever started it.
 *
 * Protocol, one line per request: "n" -> "<count>\n" (count incremented first);
 * "v" -> "<ok|bad> <count>\n" after re-checking the whole memory pattern.
 * Usage: counter ADDRESS PORT MEM_MIB LOG_FILE
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static uint64_t pattern(size_t i) { return (uint64_t)i * 0x9E3779B97F4A7C15ull + 1; }

static int memory_intact(const uint64_t *mem, size_t words) {
  for (size_t i = 0; i < words; i++)
    if (mem[i] != pattern(i)) return 0;
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: counter ADDRESS PORT MEM_MIB LOG_FILE\n");
    return 2;
  }
  size_t words = (size_t)strtoull(argv[3], NULL, 10) * 1024 * 1024 / sizeof(uint64_t);
  uint64_t *mem = malloc(words * sizeof(uint64_t) + 1);
  if (!mem) {
    perror("malloc");
    return 1;
  }
  for (size_t i = 0; i < words; i++) mem[i] = pattern(i);
  FILE *log = fopen(argv[4], "a");
  if (!log) {
    perror("fopen log");
    return 1;
  }
  int srv = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
  if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1 || bind(srv, (struct sockaddr *)&addr, sizeof addr) ||
      listen(srv, 4)) {
    perror("listen");
    return 1;
  }
  fprintf(log, "# listening %s:%s mem_mib=%s\n", argv[1], argv[2], argv[3]);
  fflush(log);
  uint64_t count = 0;
  for (;;) {
    int c = accept(srv, NULL, NULL);
    if (c < 0) continue;
    FILE *in = fdopen(c, "r");
    char line[64];
    while (fgets(line, sizeof line, in)) {
      char reply[64];
      if (line[0] == 'n') {
        count++;
        fprintf(log, "%llu\n", (unsigned long long)count);
        fflush(log);
        snprintf(reply, sizeof reply, "%llu\n", (unsigned long long)count);
      } else if (line[0] == 'v') {
        snprintf(reply, sizeof reply, "%s %llu\n", memory_intact(mem, words) ? "ok" : "bad",
                 (unsigned long long)count);
      } else {
        snprintf(reply, sizeof reply, "error\n");
      }
      if (write(c, reply, strlen(reply)) < 0) break;
    }
    fclose(in);
  }
}

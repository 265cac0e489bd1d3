// Benchmark helper: keeps BPF run-time statistics on (run_time_ns, run_cnt) until its stdin closes.
//
// BPF_ENABLE_STATS holds them on for as long as its fd is open and counts holders, so runs that overlap on a
// shared machine do not turn each other's statistics off, as writing the kernel.bpf_stats_enabled sysctl back would.
#include <stdio.h>
#include <unistd.h>
#include <bpf/bpf.h>

int main(void)
{
	char buf[64];
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);

	if (fd < 0) {
		perror("bpf_enable_stats");
		return 1;
	}
	puts("on");
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	close(fd);
	return 0;
}

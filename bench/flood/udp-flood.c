// Benchmark traffic: floods UDP datagrams to an address at a given rate (0: as fast as it can) for a duration.
//
// Run inside the benchmark's network namespace; sendmmsg() in batches of 64 keeps the sender's own cost
// per packet low, and a rate is kept by sleeping until each batch's due time (no busy wait: the 2-core
// machine is shared with the capture being measured). Prints "sent N in T s, cpu C s" on exit.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static char payload[BATCH][64];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct rusage ru;
	unsigned long long sent = 0;
	double pps, secs, start, end;
	int fd, i;

	if (argc != 5) {
		fprintf(stderr, "usage: udp-flood ADDR PORT PPS SECONDS\n");
		return 2;
	}
	if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1) {
		fprintf(stderr, "udp-flood: bad address %s\n", argv[1]);
		return 2;
	}
	dst.sin_port = htons(atoi(argv[2]));
	pps = atof(argv[3]);
	secs = atof(argv[4]);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("udp-flood: socket");
		return 1;
	}
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		snprintf(payload[i], sizeof(payload[i]), "xdp-meta flood %d", i);
		iov[i].iov_base = payload[i];
		iov[i].iov_len = 18;
		msgs[i].msg_hdr.msg_name = &dst;
		msgs[i].msg_hdr.msg_namelen = sizeof(dst);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	start = now();
	end = start + secs;
	for (;;) {
		double t = now();
		int n;

		if (t >= end)
			break;
		if (pps > 0) {
			double due = start + sent / pps;

			if (due > t) {
				struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)((due - t) * 1e9) };

				nanosleep(&ts, NULL);
				continue;
			}
		}
		n = sendmmsg(fd, msgs, BATCH, 0);
		if (n < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == ECONNREFUSED)
				continue;
			perror("udp-flood: sendmmsg");
			return 1;
		}
		sent += n;
	}
	/* The sender's own CPU: with the receive side's softirq run inline, it shows whether the flood had a core. */
	getrusage(RUSAGE_SELF, &ru);
	printf("sent %llu in %.3f s, cpu %.3f s\n", sent, now() - start,
	       ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
	return 0;
}

"""Sorts `perf script -F comm,tid,ip,sym,dso` samples (call chains, leaf first) into what a Thrift call spends
its time on, by the leaf frame and, for the kernel, the system call below it. Arguments: the calls made while
sampling and the sampling frequency, to print microseconds of server CPU per call. Used by profile.sh."""
import collections
import re
import sys

def category(frames):
    leaf = frames[0]
    stack = ' '.join(frames)
    if '[kernel' in leaf or 'kallsyms' in leaf:
        # cpu-clock samples of a switched-in task land where interrupts come back on: the switch itself.
        if 'finish_task_switch' in leaf: return 'kernel: context switch (scheduler)'
        for key, name in (('sys_sendto', 'kernel: send (incl. loopback delivery, waking the client)'), ('__send', 'kernel: send (incl. loopback delivery, waking the client)'),
                          ('sys_recvfrom', 'kernel: recv'), ('__libc_recv', 'kernel: recv'), ('epoll_wait', 'kernel: epoll_wait'), ('epoll_ctl', 'kernel: epoll_ctl'),
                          ('sched_yield', 'kernel: sched_yield (spinning)'), ('futex', 'kernel: futex (thread wake/wait)'),
                          ('do_softirq', 'kernel: softirq (network)'), ('net_rx_action', 'kernel: softirq (network)')):
            if key in stack: return name
        return 'kernel: other'
    if '[Thrift]' in leaf or '[Calculator] tutorial.Calculator+InternalStructs' in leaf or 'Tunicorn.Thrift.InlineBinaryProtocol' in leaf:
        if re.search(r'Read|Decode', leaf): return 'protocol decode (InlineBinaryProtocol, generated args.Read)'
        if re.search(r'Write|Flush|Encode', leaf): return 'protocol encode (InlineBinaryProtocol, generated result.Write)'
        return 'Thrift other'
    if 'AsyncProcessor' in leaf: return 'processor (generated Calculator.AsyncProcessor)'
    if 'CalculatorHandler' in leaf: return 'handler'
    if '[Tunicorn] Tunicorn.IO' in leaf: return 'Tunicorn I/O loop (ReadinessLoop, epoll dispatch)'
    if '[Tunicorn]' in leaf: return 'Tunicorn connection/transport (ThriftConnection, framed transport, waiter)'
    if 'System.Net.Sockets' in leaf or 'libSystem.Native' in leaf or '__send' in leaf or '__libc_recv' in leaf: return 'socket wrappers (System.Net.Sockets, libc send/recv)'
    if 'clock_gettime' in leaf or 'vdso' in leaf: return 'clock_gettime (vdso)'
    if 'System.Private.CoreLib' in leaf or 'stub ' in leaf: return 'async machinery, casts, thread pool (CoreLib)'
    if 'libcoreclr' in leaf or '__tls_get_addr' in leaf or 'ld-linux' in leaf: return 'runtime (coreclr: GC, thread statics, helpers)'
    if 'libclrjit' in leaf: return 'JIT'
    if 'libc.so' in leaf: return 'libc other'
    return 'other: ' + leaf[:60]
counts = collections.Counter(); total = 0; frames = []
def flush():
    global total
    if frames:
        counts[category(frames)] += 1; total += 1
for line in sys.stdin:
    if not line.strip():
        flush(); frames = []; continue
    if line[0] not in ' \t':
        flush(); frames = []; continue
    parts = line.strip().split(' ', 1)
    frames.append(parts[1] if len(parts) > 1 else parts[0])
flush()
calls = float(sys.argv[1]) if len(sys.argv) > 1 else 0
hz = float(sys.argv[2]) if len(sys.argv) > 2 else 1999
us_per_sample = 1e6 / hz
print(f'{total} samples' + (f', {total * us_per_sample / calls:.2f} us of server CPU per call over {calls:.0f} calls' if calls else ''))
for k, v in counts.most_common():
    print(f'{100.0 * v / total:6.1f}%  ' + (f'{v * us_per_sample / calls:6.2f} us  ' if calls else '') + k)

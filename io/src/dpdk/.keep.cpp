// Keeps airan_io_dpdk non-empty before the DPDK sources exist.

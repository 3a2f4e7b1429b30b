// torch.manual_seed and the intra-op thread count are process-wide, and the machine's two cores are shared:
// test classes run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

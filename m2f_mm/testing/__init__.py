"""What the tests and benchmarks share, as ``mmdet.testing``: the oracle
twins (ours and mmdet's Mask2Former from one tiny spec, equal weights),
random panoptic batches, a two-parameter Runner model, the command-line
options that point the quickstart configs at generated scenes, and loading
a script of ``tools/`` as a module. Not imported by the library."""

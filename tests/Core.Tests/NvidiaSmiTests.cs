using Core.Contract;
using Core.Gpus;

namespace Core.Tests;

/// <summary>Which GPUs a process sees under a CUDA_VISIBLE_DEVICES, by index or UUID, in CUDA's order.</summary>
public sealed class NvidiaSmiTests
{
    private static readonly NvidiaSmi.Gpu[] Node =
    [
        new(0, "GPU-aaaa1111-0000-0000-0000-000000000000", "NVIDIA H100 80GB HBM3", 81559),
        new(1, "GPU-bbbb2222-0000-0000-0000-000000000000", "NVIDIA H100 80GB HBM3", 81559),
        new(2, "GPU-cccc3333-0000-0000-0000-000000000000", "NVIDIA A100-SXM4-40GB", 40960),
    ];

    [Fact]
    public void Unset_shows_every_gpu_by_its_index() =>
        Assert.Equal(["0", "1", "2"], NvidiaSmi.Visible(Node, null).Select(g => g.Id));

    [Fact]
    public void Indices_and_uuid_prefixes_pick_gpus_in_the_order_given()
    {
        var visible = NvidiaSmi.Visible(Node, "2,GPU-aaaa1111");
        Assert.Equal([new GpuInfo("2", "NVIDIA A100-SXM4-40GB", 40960), new GpuInfo("GPU-aaaa1111", "NVIDIA H100 80GB HBM3", 81559)], visible);
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("-1", 0)]
    [InlineData("1,-1,2", 1)]
    [InlineData("1,7,2", 1)]
    public void An_empty_entry_minus_one_or_an_unknown_gpu_ends_the_list_as_in_cuda(string value, int count) =>
        Assert.Equal(count, NvidiaSmi.Visible(Node, value).Count);
}

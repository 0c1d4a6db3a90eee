using Provision.Core;
using Provision.Core.Devices;

namespace Provision.Tests.Domain;

public class DeviceStateTests
{
    [Theory]
    [InlineData(DeviceState.Registered, DeviceState.Claimed)]
    [InlineData(DeviceState.Claimed, DeviceState.Provisioning)]
    [InlineData(DeviceState.Provisioning, DeviceState.Provisioned)]
    [InlineData(DeviceState.Provisioning, DeviceState.Failed)]
    [InlineData(DeviceState.Failed, DeviceState.Claimed)]
    [InlineData(DeviceState.Provisioned, DeviceState.Releasing)]
    [InlineData(DeviceState.Releasing, DeviceState.Released)]
    [InlineData(DeviceState.Provisioned, DeviceState.Provisioning)]
    [InlineData(DeviceState.Released, DeviceState.Registered)]
    public void CanMove_AllowedTransition_ReturnsTrue(DeviceState from, DeviceState to) =>
        Assert.True(DeviceStates.CanMove(from, to));

    [Theory]
    [InlineData(DeviceState.Registered, DeviceState.Provisioned)]
    [InlineData(DeviceState.Registered, DeviceState.Provisioning)]
    [InlineData(DeviceState.Claimed, DeviceState.Provisioned)]
    [InlineData(DeviceState.Provisioned, DeviceState.Claimed)]
    [InlineData(DeviceState.Released, DeviceState.Provisioned)]
    [InlineData(DeviceState.Failed, DeviceState.Provisioned)]
    [InlineData(DeviceState.Provisioned, DeviceState.Released)]
    [InlineData(DeviceState.Releasing, DeviceState.Provisioning)]
    [InlineData(DeviceState.Releasing, DeviceState.Claimed)]
    [InlineData(DeviceState.Releasing, DeviceState.Failed)]
    public void CanMove_RefusedTransition_ReturnsFalse(DeviceState from, DeviceState to) =>
        Assert.False(DeviceStates.CanMove(from, to));

    [Fact]
    public void MoveTo_RefusedTransition_ThrowsAndKeepsState()
    {
        var device = NewDevice();

        var error = Assert.Throws<ValidationException>(() => device.MoveTo(DeviceState.Provisioned));

        Assert.Contains("cannot move from Registered to Provisioned", error.Message);
        Assert.Equal(DeviceState.Registered, device.State);
    }

    [Fact]
    public void MoveTo_FullLifeCycle_EndsProvisioned()
    {
        var device = NewDevice();

        device.MoveTo(DeviceState.Claimed);
        device.MoveTo(DeviceState.Provisioning);
        device.MoveTo(DeviceState.Provisioned);

        Assert.Equal(DeviceState.Provisioned, device.State);
    }

    [Theory]
    [InlineData(DeviceState.Registered, false)]
    [InlineData(DeviceState.Claimed, true)]
    [InlineData(DeviceState.Provisioned, true)]
    [InlineData(DeviceState.Releasing, false)]
    [InlineData(DeviceState.Released, false)]
    public void IsClaimed_State_ReportsOwnership(DeviceState state, bool claimed) =>
        Assert.Equal(claimed, DeviceStates.IsClaimed(state));

    private static Device NewDevice() => new() { Id = "D1", ProductId = "P1", TokenHash = "h" };
}

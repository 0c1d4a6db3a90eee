using Provision.Core;
using Provision.Core.Storage;

namespace Provision.Tests.Domain;

public class TableKeysTests
{
    [Theory]
    [InlineData("a/b", "'/'")]
    [InlineData("a\\b", "'/'")]
    [InlineData("a#b", "'#'")]
    [InlineData("a?b", "'?'")]
    [InlineData("a\u0001b", "control characters")]
    [InlineData("a\u007fb", "control characters")]
    [InlineData("a\nb", "control characters")]
    public void Validate_ForbiddenCharacter_ThrowsSayingWhich(string value, string expected)
    {
        var error = Assert.Throws<ValidationException>(() => TableKeys.Validate(value, "device id"));

        Assert.Contains("device id", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Validate_Missing_ThrowsMissing(string? value)
    {
        var error = Assert.Throws<ValidationException>(() => TableKeys.Validate(value, "device id"));

        Assert.Equal("Missing device id.", error.Message);
    }

    [Fact]
    public void Validate_TooLong_ThrowsSayingLimit()
    {
        var error = Assert.Throws<ValidationException>(() => TableKeys.Validate(new string('x', TableKeys.MaxKeyLength + 1), "device id"));

        Assert.Contains($"{TableKeys.MaxKeyLength}", error.Message);
    }

    [Theory]
    [InlineData("ABCDE12345")]
    [InlineData("device-1.local_x@y+z=")]
    [InlineData("Ünïcødé")]
    public void Validate_GoodKey_ReturnsIt(string value) =>
        Assert.Equal(value, TableKeys.Validate(value, "device id"));

    [Theory]
    [InlineData("Devices", true)]
    [InlineData("t0123Devices", true)]
    [InlineData("ab", false)]
    [InlineData("1Devices", false)]
    [InlineData("Dev-ices", false)]
    public void IsValidTableName_Name_MatchesTableRules(string name, bool valid) =>
        Assert.Equal(valid, TableKeys.IsValidTableName(name));
}

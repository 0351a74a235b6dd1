using Rekey.Configuration;

namespace Rekey.Tests.Configuration;

public sealed class KmsKeyReferenceTests
{
    [Theory]
    [InlineData("1234abcd-12ab-34cd-56ef-1234567890ab", KmsKeyReferenceKind.KeyId)]
    [InlineData("mrk-1234abcd12ab34cd56ef1234567890ab", KmsKeyReferenceKind.KeyId)]
    [InlineData("arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab", KmsKeyReferenceKind.KeyArn)]
    [InlineData("arn:aws-cn:kms:cn-north-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab", KmsKeyReferenceKind.KeyArn)]
    [InlineData("alias/rekey/orders", KmsKeyReferenceKind.AliasName)]
    [InlineData("arn:aws:kms:eu-west-1:111111111111:alias/rekey-orders", KmsKeyReferenceKind.AliasArn)]
    public void Each_form_KMS_accepts_is_recognised(string text, KmsKeyReferenceKind kind)
    {
        Assert.True(KmsKeyReference.TryParse(text, out var reference));
        Assert.Equal(kind, reference!.Kind);
    }

    [Theory]
    [InlineData("orders")]
    [InlineData("alias/")]
    [InlineData("arn:aws:kms:eu-west-1:1111:key/1234abcd-12ab-34cd-56ef-1234567890ab")]
    [InlineData("1234ABCD-12AB-34CD-56EF-1234567890AB-extra")]
    public void Other_text_is_not_a_key(string text)
    {
        Assert.False(KmsKeyReference.TryParse(text, out _));
    }

    [Fact]
    public void An_ARN_tells_its_region_and_account_and_an_alias_name_does_not()
    {
        KmsKeyReference.TryParse("arn:aws:kms:eu-west-1:111111111111:alias/x", out var arn);
        KmsKeyReference.TryParse("alias/x", out var name);

        Assert.Equal("eu-west-1", arn!.Region);
        Assert.Equal("111111111111", arn.Account);
        Assert.True(arn.IsAlias);
        Assert.Null(name!.Region);
        Assert.Null(name.Account);
    }
}

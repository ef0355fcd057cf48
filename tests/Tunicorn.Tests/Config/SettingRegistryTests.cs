using System.Reflection;
using System.Text.RegularExpressions;
using Tunicorn.Config;

namespace Tunicorn.Tests.Config;

public sealed class SettingRegistryTests
{
    private static readonly Type[] SectionClasses =
        [typeof(ConfigSettings), typeof(ServerSettings), typeof(WorkerSettings), typeof(ProcessSettings), typeof(ControlSettings), typeof(LoggingSettings), typeof(ThriftSettings), typeof(TlsSettings), typeof(RegistrySettings), typeof(MetricsSettings), typeof(HooksSettings)];

    [Fact]
    public void All_HoldsEverySettingDeclaredInTheSectionFiles_Once()
    {
        var declared = SectionClasses
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => typeof(Setting).IsAssignableFrom(f.FieldType))
            .Select(f => (Setting)f.GetValue(null)!)
            .ToHashSet();

        Assert.Equal(declared.Count, SettingRegistry.All.Count);
        Assert.True(declared.SetEquals(SettingRegistry.All));
    }

    [Fact]
    public void All_NamesAreSnakeCaseAndFlagsUnique()
    {
        Assert.All(SettingRegistry.All, s => Assert.Matches(new Regex("^[a-z][a-z0-9]*(_[a-z0-9]+)*$"), s.Name));
        var flags = SettingRegistry.All.SelectMany(s => s.Flags).ToList();
        Assert.Equal(flags.Count, flags.Distinct().Count());
        Assert.DoesNotContain("-h", flags);
    }

    [Fact]
    public void All_AreInSectionOrder() =>
        Assert.Equal(SettingRegistry.All.OrderBy(s => s.Section).Select(s => s.Name), SettingRegistry.All.Select(s => s.Name));

    [Theory]
    [InlineData("-c", "config")]
    [InlineData("-b", "bind")]
    [InlineData("-w", "workers")]
    [InlineData("-k", "worker_class")]
    [InlineData("-t", "timeout")]
    [InlineData("-e", "raw_env")]
    [InlineData("-p", "pidfile")]
    [InlineData("-n", "proc_name")]
    public void ShortFlags_MatchGunicorn(string flag, string name) => Assert.Contains(flag, SettingRegistry.Find(name)!.Flags);

    [Fact]
    public void EveryDefault_PassesItsOwnValidator()
    {
        foreach (var setting in SettingRegistry.All.Where(s => s.DefaultValue is not null))
        {
            var texts = setting.DefaultValue is IReadOnlyList<string> list ? list : [setting.FormatText(setting.DefaultValue)];
            if (texts.Count > 0)
            {
                Assert.Equal(setting.FormatText(setting.DefaultValue), setting.FormatText(setting.Parse(texts)));
            }
        }
    }

    [Fact]
    public void Settings_HasOnePropertyPerStoredSetting() =>
        Assert.Equal(SettingRegistry.Stored.Count(), typeof(Settings).GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance).Length);

    [Fact]
    public void Settings_GeneratedPropertyOfEachStoredSetting_IsNamedAsItsFieldAndHoldsItsValue()
    {
        var defaults = new Settings();
        foreach (var field in SectionClasses.SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static)).Where(f => typeof(Setting).IsAssignableFrom(f.FieldType)))
        {
            var setting = (Setting)field.GetValue(null)!;
            var property = typeof(Settings).GetProperty(field.Name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance);
            if (!setting.Stored)
            {
                Assert.Null(property);
                continue;
            }
            Assert.NotNull(property);
            Assert.Equal(setting.ValueType, Nullable.GetUnderlyingType(property.PropertyType) is { } underlying && !setting.ValueType.IsValueType ? underlying : property.PropertyType);
            Assert.Equal(setting.DefaultValue, property.GetValue(defaults));
            Assert.Equal(setting.DefaultValue, defaults.GetValue(setting));
        }
    }

    [Fact]
    public void Settings_GeneratedInitAccessors_StoreUnderTheirSetting_AndCopyLists()
    {
        var bind = new List<string> { "127.0.0.1:1" };
        var settings = new Settings { Workers = 3, ThriftMaxFrameSize = 77, ConfigFile = "/x.toml", Bind = bind };
        bind.Add("127.0.0.1:2");

        Assert.Equal(3, settings.GetValue(WorkerSettings.Workers));
        Assert.Equal(77, settings.GetValue(ThriftSettings.ThriftMaxFrameSize));
        Assert.Equal("/x.toml", settings.GetValue(ConfigSettings.ConfigFile));
        Assert.Equal(["127.0.0.1:1"], settings.Bind);
    }

    [Fact]
    public void Settings_PropertyOfAnInternalType_IsInternal()
    {
        Assert.Null(typeof(Settings).GetProperty(nameof(LoggingSettings.LogConfigJson), BindingFlags.Public | BindingFlags.Instance));
        Assert.NotNull(typeof(Settings).GetProperty(nameof(LoggingSettings.LogConfigJson), BindingFlags.NonPublic | BindingFlags.Instance));
        Assert.NotNull(typeof(Settings).GetProperty(nameof(Settings.Workers), BindingFlags.Public | BindingFlags.Instance));
    }

    [Fact]
    public void Descriptions_HaveAShortFirstLine() =>
        Assert.All(SettingRegistry.All, s => Assert.InRange(s.Summary.Length, 10, 100));
}

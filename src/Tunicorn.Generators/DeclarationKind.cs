namespace Tunicorn.Generators;

/// <summary>What a declared field is: a setting of the settings table, or a key of a table-valued setting.</summary>
internal enum DeclarationKind
{
    Setting,
    TableKey,
}

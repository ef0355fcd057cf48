using System.Text.Json.Serialization;

namespace Tunicorn.Bench.LoadGen;

/// <summary>JSON of <see cref="LoadResult"/> (snake_case), shared by the load generator and the runner that reads it.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(LoadResult))]
public sealed partial class LoadResultJson : JsonSerializerContext;

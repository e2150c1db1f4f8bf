require_relative 'lib/dynamic/version'
Gem::Specification.new do |s|
  s.name = "dynamic"
  s.version = Dynamic::VERSION
end

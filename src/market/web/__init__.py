"""The learners' pages: server-rendered by this app, in five languages.

Pages call the domain services as the GraphQL resolvers do; templates only show what they
are given. Every page works without JavaScript except Stripe's payment step.
"""
